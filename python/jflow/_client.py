"""Clients of a served flow (`jflow run FLOW.yml --serve`, docs/SERVING.md), speaking the ZeroMQ
protocol of docs/PROTOCOL.md through jflow's C++ Client. The calls are Flow's (index, search,
index_lines, ...), with the same callbacks and errors.

    with Client('127.0.0.1:45678') as c:
        c.search(['my shepherd'], top_k=3, on_done=print)
"""
import asyncio

from . import _jflow
from ._calls import CallsMixin
from ._errors import FlowError

# The async client polls the C++ Client from a loop timer this often while a call is in flight
# (jflow::Client has no fd to watch): at most this much is added to each reply.
POLL_INTERVAL = 0.001


class Client(CallsMixin):
    """A served flow's client. `address` is HOST:PORT or a ZeroMQ endpoint (tcp://HOST:PORT);
    `timeout` is the deadline per request in seconds, `window` the requests in flight."""

    def __init__(self, address='127.0.0.1:45678', timeout=10.0, window=64):
        if not isinstance(address, str) or not address:
            raise TypeError('address: expected "HOST:PORT" or "tcp://HOST:PORT"')
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f'timeout: expected seconds > 0, got {timeout!r}')
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f'window: expected a whole number >= 1, got {window!r}')
        endpoint = address if '://' in address else f'tcp://{address}'
        self._engine = _jflow.ClientEngine(endpoint, float(timeout), window)

    @property
    def endpoint(self):
        return self._running('endpoint').endpoint

    def ping(self, timeout=2.0):
        """The server's state: ok, error, state, pods, peas, peas_alive, in_flight, served,
        latency (seconds). Never raises for an unreachable server: ok is False."""
        return self._running('ping').ping(float(timeout))

    def close(self):
        self._engine = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def _running(self, method):
        if self._engine is None:
            raise FlowError(f'{method}: the client is closed')
        return self._engine


class AsyncClient(Client):
    """The Client whose calls are coroutines on the running asyncio loop (polled from a loop
    timer: the loop is never blocked)."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        self.close()

    async def _run(self, method, type_, kind, payload, argument, options):
        engine = self._running(method)
        finished = []
        call = self._start_call(method, type_, kind, payload, argument, options,
                                lambda: finished.append(True))
        try:
            while not finished:
                engine.poll(0)
                if not finished:
                    await asyncio.sleep(POLL_INTERVAL)
        except asyncio.CancelledError:
            call.cancel('the awaiting task was cancelled')
            raise
        if call.error is not None:
            raise call.error
        return list(call.responses) if call.responses else None
