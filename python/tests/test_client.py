"""jflow.Client / AsyncClient against a flow that `jflow run --serve` serves (real process, tcp on
127.0.0.1 port 0)."""
import asyncio
import os
import re
import signal
import subprocess

import numpy as np
import pytest

from jflow import AsyncClient, Client, Document

FLOW = '''version: 1
pods:
  - name: tag
    uses: '- !TagDriver {key: served, value: "yes"}'
  - name: slow
    uses: '- !WaitDriver {duration: 10ms}'
'''


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    flow = tmp_path_factory.mktemp('served') / 'flow.yml'
    flow.write_text(FLOW)
    jflow = os.environ.get('JFLOW_EXECUTABLE', 'jflow')
    process = subprocess.Popen([jflow, 'run', str(flow), '--serve', '--zmq', 'tcp://127.0.0.1:0',
                                '--http', 'off'], stdout=subprocess.PIPE, text=True)
    try:
        address = None
        for line in process.stdout:  # the server says where it listens once it does
            found = re.match(r'serving zmq (\S+)', line)
            if found:
                address = found.group(1)
                break
        assert address, 'the server never said where it listens'
        yield address
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_sync_client_calls(server):
    with Client(server, timeout=5) as client:
        alive = client.ping()
        assert alive['ok'] and alive['state'] == 'running' and alive['pods'] == 2
        [response] = client.search([Document(id='q', text='hello')], top_k=2)
        [doc] = response.docs
        assert (doc.id, doc.text, doc.tags['served']) == ('q', 'hello', 'yes')
        sizes = []
        client.index_ndarray(np.ones([5, 3], np.float32), batch_size=2,
                             on_done=lambda r: sizes.append(len(r.docs)))
        assert sorted(sizes) == [1, 2, 2]
        assert [d.text for r in client.index_lines(lines=['a', 'b']) for d in r.docs] == ['a', 'b']


def test_unreachable_server_ends_requests_with_timeout(server):
    with Client('127.0.0.1:1', timeout=0.2) as client:
        assert client.ping(timeout=0.2)['ok'] is False
        errors = []
        client.index(['x'], on_error=errors.append)
        assert [e.status.code for e in errors] == ['timeout']


@pytest.mark.asyncio
async def test_async_client(server):
    ticks = [0]

    async def ticker():
        while True:
            ticks[0] += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    async with AsyncClient(server) as client:
        texts = []
        await client.index((f'doc {i}' for i in range(6)), batch_size=2,
                           on_done=lambda r: texts.extend(d.text for d in r.docs))
        assert sorted(texts) == [f'doc {i}' for i in range(6)]
        cancelled = []
        pending = asyncio.create_task(client.index(['late'], on_error=cancelled.append))
        await asyncio.sleep(0)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        assert [e.status.code for e in cancelled] == ['closed']
    task.cancel()
    assert ticks[0] > 1
