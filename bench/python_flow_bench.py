#!/usr/bin/python3
"""Python Flow vs C++ Flow on the same flow, and the Python AsyncFlow seed case.

The flow is bench_async's: one `_pass` pod (a process pea over tcp on 127.0.0.1), 1 document of
64 bytes of text per request, 64 requests in flight. Each round runs the C++ blocking Flow
(build/bench/bench_async --rounds 1, its "sync Flow" line) and then the Python Flow
(Flow.index(..., batch_size=1, prefetch=64, on_done=count)); the median round is shown, with the
client CPU per request of this process. The seed case: a WaitDriver of d and asyncio.sleep(d)
awaited together in AsyncFlow; the figure is the total minus d.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_flow_bench.py [--requests N]
        [--rounds R] [--seed-ms D] [--seed-runs K] [--bench-async build/bench/bench_async]
"""
import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

from jflow import AsyncFlow, Document, Flow

WINDOW = 64


def cpp_round(bench_async, requests):
    out = subprocess.run([bench_async, '--requests', str(requests), '--rounds', '1',
                          '--window', str(WINDOW), '--seed-runs', '1', '--seed-ms', '1'],
                         check=True, capture_output=True, text=True).stdout
    line = re.search(r'^sync Flow\s+(\d+)\s+\S+\s+([\d.]+)', out, re.M)
    return int(line.group(1)), float(line.group(2))


def python_round(flow, requests):
    count = [0]

    def on_done(resp):
        count[0] += 1

    docs = (Document(id='doc-0', text='a' * 64) for _ in range(requests))
    wall, cpu = time.perf_counter(), time.process_time()
    flow.index(docs, batch_size=1, prefetch=WINDOW, on_done=on_done)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert count[0] == requests
    return requests / wall, cpu / requests * 1e6


async def seed_case(d):
    async with AsyncFlow().add(uses=f'- !WaitDriver {{duration: {int(d * 1000)}ms}}') as f:
        start = time.monotonic()
        await asyncio.gather(f.index_ndarray(np.random.random([5, 4]), on_done=lambda r: None),
                             asyncio.sleep(d))
        return time.monotonic() - start - d


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=20000)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--seed-ms', type=int, default=1000)
    parser.add_argument('--seed-runs', type=int, default=3)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument('--bench-async',
                        default=os.path.join(here, '..', 'build', 'bench', 'bench_async'))
    args = parser.parse_args()

    cpp, py = [], []
    with Flow().add(uses='_pass', runtime='process') as flow:
        python_round(flow, 1000)  # warm-up
        for _ in range(args.rounds):
            cpp.append(cpp_round(args.bench_async, args.requests))
            py.append(python_round(flow, args.requests))
    cpp_rate = statistics.median(r for r, _ in cpp)
    py_rate = statistics.median(r for r, _ in py)
    print(f'python_flow_bench: 1 pod `_pass` (process pea, tcp 127.0.0.1), 1 doc of 64 B per '
          f'request, {args.requests} requests per round, window {WINDOW}, {args.rounds} rounds '
          f'alternating; median round shown ({sys.executable})\n')
    print(f'{"driver":<22}{"req/s":>8}{"client cpu us/req":>20}{"vs C++":>9}')
    print(f'{"C++ Flow":<22}{cpp_rate:>8.0f}{statistics.median(c for _, c in cpp):>20.2f}'
          f'{1.0:>8.2f}x')
    print(f'{"Python Flow":<22}{py_rate:>8.0f}{statistics.median(c for _, c in py):>20.2f}'
          f'{py_rate / cpp_rate:>8.2f}x')

    d = args.seed_ms / 1000
    extra = [asyncio.run(seed_case(d)) * 1000 for _ in range(args.seed_runs)]
    print(f'\nseed case: AsyncFlow, a {args.seed_ms} ms WaitDriver request and asyncio.sleep(d) '
          f'together\n  total - d: median {statistics.median(extra):6.2f} ms   (min '
          f'{min(extra):.2f}, max {max(extra):.2f} over {len(extra)} runs)')


if __name__ == '__main__':
    main()
