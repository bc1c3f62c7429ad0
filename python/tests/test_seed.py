"""The seed page's code (../shared/seed/asyncflow.txt), as written but for the import."""
import asyncio
import time

import numpy as np

from jflow import AsyncFlow

validated = []


def validate(resp):
    validated.append(len(resp.docs))


# ---- verbatim from the seed page (only `from jina import AsyncFlow` changed) ----
async def run_async_flow_5s():
    # WaitDriver pause 5s makes total roundtrip ~5s
    with AsyncFlow().add(uses='- !WaitDriver {}') as f:
        await f.index_ndarray(np.random.random([5, 4]), on_done=validate)

async def heavylifting():
    # total roundtrip takes ~5s
    print('heavylifting other io-bound jobs, e.g. download, upload, file io')
    await asyncio.sleep(5)
    print('heavylifting done after 5s')

async def concurrent_main():
    # about 5s; but some dispatch cost, can't be just 5s, usually at <7s
    await asyncio.gather(run_async_flow_5s(), heavylifting())
# ---- end of the seed's code ----


def test_seed_concurrent_main_runs_both_jobs(capsys):
    validated.clear()
    asyncio.run(asyncio.wait_for(concurrent_main(), timeout=60))
    assert validated == [5]  # one request of 5 rows (Jina's default request size is 100)
    out = capsys.readouterr().out
    assert 'heavylifting done after 5s' in out


def test_flow_request_and_sleep_run_side_by_side(capsys):
    """A WaitDriver of d and asyncio.sleep(d) awaited together: the loop keeps running other
    tasks while the flow's request is in flight, and both end. (The figure, d + ~1-4 ms on this
    machine, is measured by bench/python_flow_bench.py; tests do not assert on wall-clock.)"""
    d = 0.5
    ticks = []
    events = []

    async def ticker():
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def flow_job(f):
        await f.index_ndarray(np.random.random([5, 4]),
                              on_done=lambda r: events.append(('reply', len(ticks))))
        events.append(('flow', len(ticks)))

    async def sleep_job():
        await asyncio.sleep(d)
        events.append(('sleep', len(ticks)))

    async def main():
        async with AsyncFlow().add(uses=f'- !WaitDriver {{duration: {int(d * 1000)}ms}}') as f:
            tick_task = asyncio.create_task(ticker())
            await asyncio.sleep(0)
            before = len(ticks)
            start = time.monotonic()
            await asyncio.wait_for(asyncio.gather(flow_job(f), sleep_job()), timeout=30)
            elapsed = time.monotonic() - start
            tick_task.cancel()
            return before, elapsed

    before, elapsed = asyncio.run(main())
    names = [name for name, _ in events]
    assert sorted(names) == ['flow', 'reply', 'sleep']
    reply_ticks = dict(events)['reply']
    # The loop ran the ticker while the request was in flight: it was never blocked.
    assert reply_ticks > before + 1
    with capsys.disabled():
        print(f'\n[seed case] d={d}s: flow request + asyncio.sleep(d) together took '
              f'{elapsed * 1000:.1f} ms (d + {(elapsed - d) * 1000:.1f} ms)')
