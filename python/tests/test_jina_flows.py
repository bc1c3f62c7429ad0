"""Jina 0.x flow files through Flow.load_config: read as the jflow flows they mean, and run;
what cannot run is refused with file:line:col."""
import pathlib

import pytest

from jflow import AsyncFlow, Document, Flow, FlowSpecError

FLOWS = pathlib.Path(__file__).resolve().parents[2] / 'tests' / 'flows'


def test_v1_flow_with_methods_runs():
    with Flow.load_config(FLOWS / 'jina' / 'v1_methods.yml') as f:
        [response] = f.index([Document(id='d1', text='hello')])
    assert [(d.id, d.text) for d in response.docs] == [('d1', 'hello')]  # joined, merged by id
    assert {r['pod'] for r in response.routes} >= {'left', 'right', 'inspect', 'joiner'}


@pytest.mark.asyncio
async def test_legacy_map_flow_runs_in_asyncflow():
    async with AsyncFlow.load_config(str(FLOWS / 'jina' / 'legacy_map.yml')) as f:
        responses = await f.search(['q'], top_k=2)
    assert [d.text for r in responses for d in r.docs] == ['q']


@pytest.mark.parametrize('name, message', [
    ('jina_unknown_version.yml', r":3:10: unsupported version '99.99'"),
    ('jina_docker_image.yml', r':5:11: .*is a docker image: jflow runs no containers'),
    ('jina_python_executor.yml', r':6:11: .*looks like a Jina Python executor'),
])
def test_what_cannot_run_is_refused(name, message):
    with pytest.raises(FlowSpecError, match=message):
        Flow.load_config(FLOWS / 'invalid' / name)
