"""Driving a flow from the running asyncio loop: no thread of ours, nothing that blocks.

The flow's C++ core (an AsyncFlow) has one level-triggered file descriptor that is readable
whenever it has work, process() that does that work without blocking and runs the callbacks, and
next_timeout() for loops that keep their own timers. The LoopDriver registers the fd with
loop.add_reader and keeps one loop timer at next_timeout(), so every callback runs on the loop's
thread, inside the loop, between the application's own tasks.
"""
import asyncio


class LoopDriver:
    """Watches one engine's fd in one asyncio loop (re-attaches when used from another loop)."""

    def __init__(self, engine):
        self._engine = engine
        self._loop = None
        self._timer = None
        self._waiting = set()  # futures of the calls and steps awaiting this flow

    def attach(self):
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return loop
        self.detach()
        loop.add_reader(self._engine.fd, self._on_ready)
        self._loop = loop
        self._rearm()
        return loop

    def detach(self):
        if self._loop is None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._loop.is_closed():
            self._loop.remove_reader(self._engine.fd)
        self._loop = None

    def waiting(self, future):
        """Fails `future` if the flow itself fails (process() raising) before it is done."""
        self._waiting.add(future)
        future.add_done_callback(self._waiting.discard)

    def _on_ready(self):
        try:
            self._engine.process()
        except Exception as error:  # the flow's own failure, not a callback's: every awaiter sees it
            for future in list(self._waiting):
                if not future.done():
                    future.set_exception(error)
        self._rearm()

    def _on_timer(self):
        self._timer = None
        self._on_ready()

    def _rearm(self):
        # The fd covers the flow's deadlines too; the timer is a second, cheap guarantee that
        # timed work (deadlines, health checks, start and stop steps) runs on time.
        timeout = self._engine.next_timeout()
        if timeout is None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return
        due = self._loop.time() + timeout
        if self._timer is not None:
            if self._timer.when() <= due + 0.001:
                return
            self._timer.cancel()
        self._timer = self._loop.call_at(due, self._on_timer)


async def run_call(driver, start_call):
    """Starts a call with an on_finished that resolves a future, and awaits it.

    Cancelling the awaiting task cancels the call: its requests in flight end as closed and the
    flow stays usable.
    """
    loop = driver.attach()
    finished = loop.create_future()

    def on_finished():
        if not finished.done():
            finished.set_result(None)

    call = start_call(on_finished)
    driver.waiting(finished)
    try:
        await finished
    except BaseException as error:  # cancelled, or the flow failed: the call's requests end now
        call.cancel('the awaiting task was cancelled' if isinstance(error, asyncio.CancelledError)
                    else f'the flow failed: {error}')
        raise
    return call


async def run_step(driver, begin):
    """Runs start_async / close_async to its callback without blocking the loop."""
    loop = driver.attach()
    done = loop.create_future()

    def on_done(*result):
        if not done.done():
            done.set_result(result[0] if result else None)

    begin(on_done)
    driver.waiting(done)
    return await done
