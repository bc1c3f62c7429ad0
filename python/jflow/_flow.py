"""Flow and AsyncFlow with Jina 0.8's Python API, over jflow's C++ core.

A Flow is described with add() / needs() / inspect() (or loaded with load_config()), turned into a
jflow flow file (the same YAML `jflow run` reads, see docs/YAML.md) when it starts, and run by the
C++ AsyncFlow. Flow's calls block (the GIL is released while they wait); AsyncFlow's calls are
coroutines driven by the running asyncio loop (jflow/_asyncio.py).
"""
import copy
import glob
import itertools
import os
import random

import numpy as np
import yaml

from . import _jflow
from ._asyncio import LoopDriver, run_call, run_step
from ._errors import FlowError

# Flow(**kwargs): the flow-level keys of a jflow flow file that make sense from Python.
_FLOW_KEYS = ('transport', 'host', 'timeout_ready', 'request_timeout', 'workspace', 'plugins')
# add(**kwargs): the pod keys, with Jina's names where jflow has the same thing.
_POD_KEYS = ('uses', 'parallel', 'polling', 'runtime', 'host', 'uses_before', 'uses_after',
             'timeout_ready', 'scheduling', 'join_timeout', 'partial_results')


def _duration(value, argument):
    """A jflow duration: a str ('300ms', '2s') as is; a number is milliseconds, as in Jina."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f'{argument}: Jina\'s -1 ("wait forever") has no jflow equivalent; '
                             f'give a duration such as "60s"')
        return f'{value}ms'
    raise TypeError(f'{argument}: expected a duration ("10s") or milliseconds, '
                    f'got {type(value).__name__}')


def _enum_name(value, argument, allowed):
    """Jina passes enums (PollingType.ALL) or their names in any case; jflow spells them lower."""
    name = getattr(value, 'name', value)
    if not isinstance(name, str) or name.lower() not in allowed:
        raise ValueError(f'{argument}: expected one of {", ".join(allowed)}, got {value!r}')
    return name.lower()


def _unexpected(method, unknown):
    name = next(iter(unknown))
    return TypeError(f"{method}() got an unexpected keyword argument '{name}'")


class Flow:
    """A flow of pods, built like Jina 0.8's Flow and run by jflow.

        with Flow().add(name='wait', uses='- !WaitDriver {duration: 1s}').add() as f:
            f.index(['a', 'b'], on_done=print)
    """

    def __init__(self, args=None, env=None, **kwargs):
        if args is not None:
            raise TypeError('Flow(args=...): jflow takes keyword arguments only')
        unknown = set(kwargs) - set(_FLOW_KEYS)
        if unknown:
            raise _unexpected(type(self).__name__, sorted(unknown))
        if env is not None and not isinstance(env, dict):
            raise TypeError(f'env: expected a dict, got {type(env).__name__}')
        self._flow_keys = {k: v for k, v in kwargs.items() if v is not None}
        if 'timeout_ready' in self._flow_keys:
            self._flow_keys['timeout_ready'] = _duration(kwargs['timeout_ready'], 'timeout_ready')
        if 'request_timeout' in self._flow_keys:
            self._flow_keys['request_timeout'] = _duration(kwargs['request_timeout'],
                                                           'request_timeout')
        self._env = {str(k): str(v) for k, v in (env or {}).items()}
        self._pods = []
        self._inspected = {}  # pod name -> the inspect pod that now stands for it
        self._loaded = None   # the file a load_config() flow came from
        self._engine = None
        self._driver = None

    # ---- building -----------------------------------------------------------------------------

    def add(self, needs=None, copy_flow=True, name=None, **kwargs):
        """Adds a pod after the last one (or after `needs`); returns the new flow (a copy, as in
        Jina, unless copy_flow=False)."""
        unknown = set(kwargs) - set(_POD_KEYS)
        if unknown:
            raise _unexpected('add', sorted(unknown))
        if self._loaded is not None:
            raise FlowError(f'add(): this flow was loaded from {self._loaded}; add the pod to '
                            f'that file instead')
        if self._engine is not None:
            raise FlowError('add(): the flow is running; add pods before starting it')
        flow = copy.deepcopy(self) if copy_flow else self
        names = {pod['name'] for pod in flow._pods}
        if name is None:
            name = f'pod{len(flow._pods)}'
        if not isinstance(name, str):
            raise TypeError(f'name: expected str, got {type(name).__name__}')
        if name in names:  # Jina renames a repeated name the same way
            name = f'{name}{len(flow._pods)}'
        pod = {'name': name}
        if needs is not None:
            listed = [needs] if isinstance(needs, str) else list(needs)
            for need in listed:
                if not isinstance(need, str):
                    raise TypeError(f'needs: expected pod names, got {type(need).__name__}')
            pod['needs'] = [flow._inspected.get(n, n) for n in listed]
        elif flow._pods and flow._pods[-1]['name'] != flow._last_name():
            pod['needs'] = [flow._last_name()]
        for key, value in kwargs.items():
            if value is None:
                continue
            if key == 'polling':
                value = _enum_name(value, 'polling', ('any', 'all'))
            elif key == 'runtime':
                value = _enum_name(value, 'runtime', ('thread', 'process'))
            elif key == 'scheduling':
                value = _enum_name(value, 'scheduling', ('load_balance', 'round_robin'))
            elif key == 'partial_results':
                value = _enum_name(value, 'partial_results', ('error', 'flag'))
            elif key in ('timeout_ready', 'join_timeout'):
                value = _duration(value, key)
            elif key == 'parallel':
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f'parallel: expected a whole number >= 1, got {value!r}')
            elif not isinstance(value, str):
                raise TypeError(f'{key}: expected str, got {type(value).__name__}')
            pod[key] = value
        flow._pods.append(pod)
        flow._last = name
        return flow

    def _last_name(self):
        return getattr(self, '_last', None) or (self._pods[-1]['name'] if self._pods else None)

    def needs(self, needs, name='joiner', uses='_merge', copy_flow=True, **kwargs):
        """Adds a pod that joins `needs` (two or more pods): it waits for each request's parts
        from all of them; `_merge` (the default) merges documents by id."""
        if isinstance(needs, str) or len(needs) <= 1:
            raise ValueError('needs: a join needs two or more pods (for one, use add(needs=...))')
        return self.add(needs=list(needs), copy_flow=copy_flow, name=name, uses=uses, **kwargs)

    def inspect(self, name='inspect', uses='_pass', copy_flow=True, **kwargs):
        """Adds an inspection (an evaluator, a logger) on the last pod.

        jflow has no hanging pods (a flow has one exit), so the inspect pod runs in line after
        the pod it inspects and the documents pass on through it; later pods that name the
        inspected pod in `needs` get the inspect pod's output instead (Jina's auxiliary pod)."""
        inspected = self._last_name()
        if inspected is None:
            raise FlowError('inspect(): add the pod to inspect first')
        flow = self.add(needs=[inspected], copy_flow=copy_flow, name=name, uses=uses, **kwargs)
        flow._inspected[inspected] = flow._last
        return flow

    @property
    def yaml_spec(self):
        """The jflow flow file this flow runs as."""
        if self._loaded is not None:
            with open(self._loaded) as file:
                return file.read()
        spec = {'version': 1}
        spec.update(self._flow_keys)
        if self._env:
            spec['env'] = dict(self._env)
        spec['pods'] = copy.deepcopy(self._pods)
        return yaml.safe_dump(spec, sort_keys=False, default_flow_style=False)

    def save_config(self, filename=None):
        """Writes the flow file (`jflow run` runs it; load_config reads it back)."""
        if filename is None:
            raise TypeError('save_config: filename is required')
        with open(filename, 'w') as file:
            file.write(self.yaml_spec)
        return True

    @classmethod
    def load_config(cls, filename):
        """A flow from a jflow flow file or a Jina 0.x flow YAML (checked now: errors say
        file:line:col)."""
        if hasattr(filename, 'read'):
            raise TypeError('load_config: give a path (relative `uses:` files are found from it)')
        path = os.fspath(filename)
        _jflow.check_flow_file(path)
        flow = cls()
        flow._loaded = path
        return flow

    @property
    def num_pods(self):
        return len(self._pods)

    def __eq__(self, other):
        return isinstance(other, Flow) and self.yaml_spec == other.yaml_spec

    # ---- running ------------------------------------------------------------------------------

    def _make_engine(self):
        if self._engine is not None:
            raise FlowError('start: the flow is already running')
        if self._loaded is None and not self._pods:
            raise FlowError('start: the flow has no pods (add one with add())')
        # Jina's env: for the pods; jflow's pods are threads or children of this process.
        os.environ.update(self._env)
        if self._loaded is not None:
            engine = _jflow.Engine.from_file(self._loaded)
        else:
            engine = _jflow.Engine.from_yaml(self.yaml_spec, f'{type(self).__name__}()')
        self._engine = engine
        self._driver = LoopDriver(engine)
        return engine

    def start(self):
        """Starts every pea and waits until all are ready (blocks briefly, as in Jina)."""
        engine = self._make_engine()
        try:
            engine.start()
        except BaseException:
            self._engine = self._driver = None
            raise
        return self

    def close(self):
        """Drains what is in flight, stops every pea. Idempotent."""
        if self._engine is None:
            return
        self._driver.detach()
        try:
            self._engine.close()
        finally:
            self._engine = self._driver = None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def status(self):
        """One dict per pea: pod, pea, runtime, endpoint, pid, alive, last_error."""
        return self._running('status').status()

    def _running(self, method):
        if self._engine is None:
            raise FlowError(f'{method}: the flow is not running (use `with flow:` or start())')
        return self._engine

    # ---- client calls -------------------------------------------------------------------------

    def _start_call(self, method, type_, kind, payload, argument, options, on_finished):
        engine = self._running(method)
        batch_size = options.pop('batch_size', None)
        request_size = options.pop('request_size', None)
        size = batch_size if batch_size is not None else request_size
        if size is None:
            size = 100
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f'{method}: batch_size: expected a whole number >= 1, got {size!r}')
        prefetch = options.pop('prefetch', 0) or 0
        if isinstance(prefetch, bool) or not isinstance(prefetch, int) or prefetch < 0:
            raise ValueError(f'{method}: prefetch: expected a whole number >= 0, got {prefetch!r}')
        timeout = options.pop('timeout', None) or 0.0
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f'{method}: timeout: expected seconds >= 0, got {timeout!r}')
        parameters = dict(options.pop('parameters', None) or {})
        top_k = options.pop('top_k', None)
        if top_k is not None:
            if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
                raise ValueError(f'{method}: top_k: expected a whole number >= 1, got {top_k!r}')
            parameters['top_k'] = top_k
        callbacks = {}
        for key in ('on_done', 'on_error', 'on_always'):
            callback = options.pop(key, None)
            if callback is not None and not callable(callback):
                raise TypeError(f'{method}: {key}: expected a callable, '
                                f'got {type(callback).__name__}')
            callbacks[key] = callback
        if options:
            raise _unexpected(method, sorted(options))
        return engine.call(type_, kind, payload, argument, size, prefetch, float(timeout),
                           parameters, callbacks['on_done'], callbacks['on_error'],
                           callbacks['on_always'], on_finished)

    def _run(self, method, type_, kind, payload, argument, options):
        call = self._start_call(method, type_, kind, payload, argument, options, None)
        self._engine.wait(call)
        if call.error is not None:
            raise call.error
        return list(call.responses) if call.responses else None

    # Each public call: the input checked here (errors name the argument), then _run.
    def _input(self, method, input_fn, size=None):
        if input_fn is None:
            raise TypeError(f'{method}: input_fn is required')
        if callable(input_fn) and not hasattr(input_fn, '__iter__'):
            input_fn = input_fn()  # Jina accepts a function that returns the iterator
        if isinstance(input_fn, (str, bytes, dict)):
            raise TypeError(f'{method}: input_fn: expected an iterable of documents, got '
                            f'{type(input_fn).__name__} (wrap one document in a list)')
        if isinstance(input_fn, np.ndarray):
            if input_fn.ndim != 2:
                raise ValueError(f'{method}: input_fn: expected a 2-D array (one row per '
                                 f'document), got {input_fn.ndim}-D')
        try:
            iterator = iter(input_fn)
        except TypeError:
            raise TypeError(f'{method}: input_fn: expected an iterable of documents, got '
                            f'{type(input_fn).__name__}') from None
        if size is not None:
            iterator = itertools.islice(iterator, size)
        return 'items', iterator, 'input_fn'

    @staticmethod
    def _array(method, array, axis=0, size=None, shuffle=False):
        if not isinstance(array, np.ndarray):
            raise TypeError(f'{method}: array: expected a numpy array, got {type(array).__name__}')
        if array.ndim != 2:
            raise ValueError(f'{method}: array: expected a 2-D array (one row per document), got '
                             f'{array.ndim}-D with shape {array.shape}')
        if axis not in (0, 1):
            raise ValueError(f'{method}: axis: expected 0 or 1, got {axis!r}')
        if axis == 1:
            array = array.T
        if shuffle:
            array = array[np.random.permutation(array.shape[0])]
        if size is not None:
            array = array[:size]
        return 'ndarray', array, 'array'

    @staticmethod
    def _lines(method, lines=None, filepath=None, size=None, sampling_rate=None, read_mode='r'):
        if (lines is None) == (filepath is None):
            raise TypeError(f'{method}: give exactly one of lines= or filepath=')
        if read_mode not in ('r', 'rb'):
            raise ValueError(f"{method}: read_mode: expected 'r' or 'rb', got {read_mode!r}")
        if filepath is not None and size is None and sampling_rate is None and read_mode == 'r':
            return 'file', os.fspath(filepath), 'filepath'
        if filepath is not None:
            def read():
                with open(filepath, read_mode) as file:
                    for line in file:
                        line = line.rstrip('\r\n' if read_mode == 'r' else b'\r\n')
                        if line:
                            yield line
            source, argument = read(), 'filepath'
        else:
            if isinstance(lines, (str, bytes)) or not hasattr(lines, '__iter__'):
                raise TypeError(f'{method}: lines: expected an iterable of str, got '
                                f'{type(lines).__name__}')
            source, argument = (line for line in lines if line != ''), 'lines'
        if sampling_rate is not None:
            if not 0 <= sampling_rate <= 1:
                raise ValueError(f'{method}: sampling_rate: expected a number in [0, 1]')
            source = (line for line in source if random.random() < sampling_rate)
        if size is not None:
            source = itertools.islice(source, size)
        return 'items', source, argument

    @staticmethod
    def _files(method, patterns, recursive=True, size=None, sampling_rate=None, read_mode=None):
        if isinstance(patterns, (str, os.PathLike)):
            patterns = [patterns]
        paths = []
        for pattern in patterns:
            matched = sorted(glob.glob(os.fspath(pattern), recursive=recursive))
            if not matched:
                raise ValueError(f"{method}: patterns: nothing matches '{pattern}'")
            paths.extend(matched)
        if sampling_rate is not None:
            paths = [p for p in paths if random.random() < sampling_rate]
        if size is not None:
            paths = paths[:size]
        return 'files', paths, 'patterns'

    def index(self, input_fn=None, on_done=None, on_error=None, on_always=None, **kwargs):
        """Indexes documents: input_fn is an iterable of Documents, str, bytes, dicts of Document
        fields, or 1-D arrays (a 2-D array gives its rows). batch_size= documents per request,
        prefetch= requests in flight, timeout= seconds per request."""
        kind, payload, argument = self._input('index', input_fn, kwargs.pop('size', None))
        return self._run('index', 'index', kind, payload, argument,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def search(self, input_fn=None, on_done=None, on_error=None, on_always=None, **kwargs):
        kind, payload, argument = self._input('search', input_fn, kwargs.pop('size', None))
        return self._run('search', 'search', kind, payload, argument,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def train(self, input_fn=None, on_done=None, on_error=None, on_always=None, **kwargs):
        kind, payload, argument = self._input('train', input_fn, kwargs.pop('size', None))
        return self._run('train', 'train', kind, payload, argument,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def index_ndarray(self, array, axis=0, size=None, shuffle=False, on_done=None, on_error=None,
                      on_always=None, **kwargs):
        """One document per row of a 2-D array, the row as its embedding (zero-copy on return)."""
        source = self._array('index_ndarray', array, axis, size, shuffle)
        return self._run('index_ndarray', 'index', *source,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def search_ndarray(self, array, axis=0, size=None, shuffle=False, on_done=None, on_error=None,
                       on_always=None, **kwargs):
        source = self._array('search_ndarray', array, axis, size, shuffle)
        return self._run('search_ndarray', 'search', *source,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def index_lines(self, lines=None, filepath=None, size=None, sampling_rate=None, read_mode='r',
                    on_done=None, on_error=None, on_always=None, **kwargs):
        """One document per non-empty line: lines= an iterable of str, or filepath= a text file."""
        source = self._lines('index_lines', lines, filepath, size, sampling_rate, read_mode)
        return self._run('index_lines', 'index', *source,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def search_lines(self, filepath=None, lines=None, size=None, sampling_rate=None, read_mode='r',
                     on_done=None, on_error=None, on_always=None, **kwargs):
        source = self._lines('search_lines', lines, filepath, size, sampling_rate, read_mode)
        return self._run('search_lines', 'search', *source,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def index_files(self, patterns, recursive=True, size=None, sampling_rate=None, read_mode=None,
                    on_done=None, on_error=None, on_always=None, **kwargs):
        """One document per file matching the glob patterns: its bytes in buffer, tags['path']."""
        source = self._files('index_files', patterns, recursive, size, sampling_rate, read_mode)
        return self._run('index_files', 'index', *source,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))

    def search_files(self, patterns, recursive=True, size=None, sampling_rate=None,
                     read_mode=None, on_done=None, on_error=None, on_always=None, **kwargs):
        source = self._files('search_files', patterns, recursive, size, sampling_rate, read_mode)
        return self._run('search_files', 'search', *source,
                         dict(kwargs, on_done=on_done, on_error=on_error, on_always=on_always))


class AsyncFlow(Flow):
    """The Flow whose calls are coroutines, run by the asyncio loop the program already runs
    (Jupyter's, an application's). `async with` starts and closes it without blocking the loop;
    plain `with` starts it blocking briefly, as in Jina."""

    async def __aenter__(self):
        engine = self._make_engine()
        try:
            error = await run_step(self._driver, engine.start_async)
        except BaseException:
            self._driver.detach()
            engine.close()
            self._engine = self._driver = None
            raise
        if error is not None:
            self._driver.detach()
            self._engine = self._driver = None
            raise FlowError(error)
        return self

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        await self.aclose()

    async def aclose(self):
        """Closes the flow without blocking the loop."""
        if self._engine is None:
            return
        try:
            await run_step(self._driver, self._engine.close_async)
        finally:
            self._driver.detach()
            self._engine = self._driver = None

    async def _run(self, method, type_, kind, payload, argument, options):
        self._running(method)
        call = await run_call(self._driver, lambda on_finished: self._start_call(
            method, type_, kind, payload, argument, options, on_finished))
        if call.error is not None:
            raise call.error
        return list(call.responses) if call.responses else None
