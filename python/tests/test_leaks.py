"""No reference or memory leaks over 10,000 calls (tracemalloc: Python allocations, and the live
object count)."""
import gc
import tracemalloc

import numpy as np

from jflow import Document, Flow


def test_no_leaks_over_10k_calls():
    with Flow().add() as f:
        array = np.ones([1, 4], dtype=np.float32)

        def one_round():
            f.index([Document(text='t', tags={'k': 1}, embedding=np.zeros(2))])
            f.index_ndarray(array, on_done=lambda r: r.docs[0].embedding.sum())
            f.search(['q'], top_k=1, on_always=lambda r: None)

        for _ in range(500):  # warm-up: caches, interned strings, allocator pools
            one_round()
        gc.collect()
        objects_before = len(gc.get_objects())
        for _ in range(10_000 // 3):
            one_round()
        gc.collect()
        objects_after = len(gc.get_objects())

        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for _ in range(10_000 // 3):
            one_round()
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, 'filename'))
    # A leak of one object per call would be 10,000 objects and several hundred kB.
    assert objects_after - objects_before < 100
    assert grown < 64 * 1024, after.compare_to(before, 'lineno')[:5]
