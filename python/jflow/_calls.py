"""The client calls Flow, AsyncFlow and Client share, with Jina 0.8's signatures: index, search,
train, index_ndarray, search_ndarray, index_lines, search_lines, index_files, search_files.

Each checks its input here (errors name the argument) and hands the engine (a flow's, or a served
flow's client) a call; a class provides _running(method) -> engine and _run(...).
"""
import glob
import itertools
import os
import random

import numpy as np


def _unexpected(method, unknown):
    name = next(iter(unknown))
    return TypeError(f"{method}() got an unexpected keyword argument '{name}'")


class CallsMixin:
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
