"""Flow and AsyncFlow with Jina 0.8's Python API, over jflow's C++ core.

A Flow is described with add() / needs() / inspect() (or loaded with load_config()), turned into a
jflow flow file (the same YAML `jflow run` reads, see docs/YAML.md) when it starts, and run by the
C++ AsyncFlow. Flow's calls block (the GIL is released while they wait); AsyncFlow's calls are
coroutines driven by the running asyncio loop (jflow/_asyncio.py).
"""
import copy
import os

import yaml

from . import _jflow
from ._asyncio import LoopDriver, run_call, run_step
from ._calls import CallsMixin
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


class Flow(CallsMixin):
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

    def __del__(self):
        # A flow dropped while running: stop watching its fd before the engine closes it.
        driver = getattr(self, '_driver', None)
        if driver is not None:
            driver.detach()

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
