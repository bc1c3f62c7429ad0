"""The seed's notebook snippet, executed by nbclient in a real ipykernel: top-level `await` in
the kernel's own event loop."""
import os

import nbformat
from nbclient import NotebookClient

SEED_CELL = '''from jflow import AsyncFlow
import numpy as np

with AsyncFlow().add() as f:
    await f.index_ndarray(np.random.random([5, 4]), on_done=print)'''

ASYNC_WITH_CELL = '''import asyncio
ticks = []
async def ticker():
    while True:
        ticks.append(1)
        await asyncio.sleep(0.005)
t = asyncio.create_task(ticker())
got = []
async with AsyncFlow().add(uses='- !WaitDriver {duration: 200ms}') as f:
    await f.index_ndarray(np.ones([3, 2], dtype=np.float32),
                          on_done=lambda r: got.append(r.docs[0].embedding.tolist()))
t.cancel()
print('docs', got, 'ticked', len(ticks) > 1)'''


def test_notebook_top_level_await():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SEED_CELL),
                      nbformat.v4.new_code_cell(ASYNC_WITH_CELL)]
    # The kernel is Debian's python3 (its kernelspec); it inherits this environment, so it finds
    # the same jflow package (PYTHONPATH) and `jflow` binary.
    client = NotebookClient(notebook, timeout=120, kernel_name='python3',
                            resources={'metadata': {'path': os.getcwd()}})
    client.execute()
    outputs = [''.join(o.get('text', '') for o in cell.outputs) for cell in notebook.cells]
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == 'error']
    assert not errors, errors
    assert 'Response(' in outputs[0] and 'Status(ok)' in outputs[0]
    assert 'embedding=array(shape=(4,), dtype=float64)' in outputs[0]
    assert "docs [[1.0, 1.0]] ticked True" in outputs[1]
