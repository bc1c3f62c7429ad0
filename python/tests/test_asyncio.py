"""AsyncFlow on the caller's loop: callbacks on the loop thread, exceptions reach the awaiting
coroutine, cancellation ends the call's requests as closed and leaves the flow usable, `async with`
does not block the loop; and the sync Flow releases the GIL while it waits."""
import asyncio
import threading

import numpy as np
import pytest

from jflow import AsyncFlow, Document, Flow


async def ticking(condition_task):
    """Runs condition_task while a ticker task counts loop iterations; returns (result, ticks)."""
    ticks = [0]

    async def ticker():
        while True:
            ticks[0] += 1
            await asyncio.sleep(0.002)

    task = asyncio.create_task(ticker())
    try:
        return await condition_task, ticks[0]
    finally:
        task.cancel()


@pytest.mark.asyncio
async def test_callbacks_run_on_the_loop_thread():
    threads = []
    async with AsyncFlow().add() as f:
        await f.index(['a', 'b', 'c'], batch_size=1,
                      on_done=lambda r: threads.append(threading.get_ident()))
    assert threads == [threading.get_ident()] * 3


@pytest.mark.asyncio
async def test_async_with_does_not_block_the_loop():
    flow = AsyncFlow().add(uses='- !WaitDriver {duration: 1ms}', runtime='process').add()

    async def use():
        async with flow as f:
            return await f.index(['x'])

    responses, ticks = await ticking(use())
    assert [d.text for d in responses[0].docs] == ['x']
    assert ticks > 1  # the loop ran the ticker while process peas started and stopped


@pytest.mark.asyncio
async def test_exception_in_callback_reaches_the_awaiting_coroutine():
    async with AsyncFlow().add() as f:
        def explode(resp):
            raise ValueError('raised in on_done')
        with pytest.raises(ValueError, match='raised in on_done'):
            await f.index(['a', 'b'], batch_size=1, on_done=explode)
        assert [d.text for r in await f.index(['after']) for d in r.docs] == ['after']


@pytest.mark.asyncio
async def test_cancel_ends_requests_as_closed_and_flow_stays_usable():
    errors, sent = [], []
    async with AsyncFlow().add(uses='- !WaitDriver {duration: 1s}') as f:
        task = asyncio.create_task(
            f.index(['a', 'b', 'c'], batch_size=1, on_done=sent.append, on_error=errors.append))
        while f._engine.in_flight < 3:  # wait until its requests are in the flow
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert sent == []
        assert [e.status.code for e in errors] == ['closed'] * 3
        assert all('cancelled' in e.status.message for e in errors)
    # (Closing waited for the pods to finish the abandoned requests: they cannot be recalled.)
    async with AsyncFlow().add(uses='- !WaitDriver {duration: 50ms}') as f:
        task = asyncio.create_task(f.index(['x'], on_error=errors.append))
        while f._engine.in_flight < 1:
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        [response] = await asyncio.wait_for(f.index(['y']), timeout=30)
        assert [d.text for d in response.docs] == ['y']


@pytest.mark.asyncio
async def test_wait_for_timeout_cancels_the_call():
    errors = []
    async with AsyncFlow().add(uses='- !WaitDriver {duration: 200ms}') as f:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(f.index(['slow'], on_error=errors.append), timeout=0.01)
        assert [e.status.code for e in errors] == ['closed']
        assert [d.text for r in await f.index(['next']) for d in r.docs] == ['next']


@pytest.mark.asyncio
async def test_generators_and_concurrent_calls():
    async def gen_docs(n):
        return (Document(text=str(i)) for i in range(n))

    seen = []
    async with AsyncFlow().add(uses='- !WaitDriver {duration: 5ms}') as f:
        await asyncio.gather(
            f.index(await gen_docs(10), batch_size=2, on_done=lambda r: seen.extend(
                d.text for d in r.docs)),
            f.search_ndarray(np.ones([4, 2]), batch_size=1,
                             on_done=lambda r: seen.append('row')))
    assert sorted(t for t in seen if t != 'row') == sorted(str(i) for i in range(10))
    assert seen.count('row') == 4


@pytest.mark.asyncio
async def test_request_deadline_ends_as_timeout():
    errors = []
    async with AsyncFlow().add(uses='- !WaitDriver {duration: 5s}') as f:
        await f.index(['late'], timeout=0.05, on_error=errors.append)
    assert [e.status.code for e in errors] == ['timeout']


def test_sync_flow_releases_the_gil_while_it_waits():
    progress = []
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            progress.append(1)
            stop.wait(0.001)

    with Flow().add(uses='- !WaitDriver {duration: 200ms}') as f:
        thread = threading.Thread(target=worker)
        thread.start()
        try:
            at_start = len(progress)
            seen_in_callback = []
            f.index(['x'], on_done=lambda r: seen_in_callback.append(len(progress)))
        finally:
            stop.set()
            thread.join()
    # The worker ran while the call waited for the 200 ms reply.
    assert seen_in_callback[0] > at_start + 1


@pytest.mark.asyncio
async def test_a_killed_pea_ends_requests_with_pea_lost_naming_it():
    import os
    import signal
    errors = []
    async with AsyncFlow().add(name='fragile', uses='- !WaitDriver {duration: 5s}',
                               runtime='process') as f:
        task = asyncio.create_task(f.index(['x'], on_error=errors.append))
        while f._engine.in_flight < 1:
            await asyncio.sleep(0.001)
        [pea] = f.status()
        os.kill(pea['pid'], signal.SIGKILL)
        await asyncio.wait_for(task, timeout=30)
    assert [e.status.code for e in errors] == ['pea_lost']
    assert 'fragile' in errors[0].status.message or errors[0].status.pod == 'fragile'


def test_ctrl_c_cancels_a_sync_call_and_the_flow_stays_usable():
    import signal
    errors = []
    sent = []

    def docs():
        sent.append('first')
        yield 'first'

    def ctrl_c(signum, frame):
        if not sent:  # not yet waiting for the request: look again shortly
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, ctrl_c)
    try:
        with Flow().add(uses='- !WaitDriver {duration: 1s}') as f:
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            with pytest.raises(KeyboardInterrupt):
                f.index(docs(), batch_size=1, on_error=errors.append)
            assert [e.status.code for e in errors] == ['closed']
            assert 'interrupted' in errors[0].status.message
            assert [d.text for r in f.index(['after']) for d in r.docs] == ['after']
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
