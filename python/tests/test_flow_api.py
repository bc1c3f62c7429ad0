"""Jina 0.8's Flow API on jflow: building, every call form, callbacks, errors naming the argument."""
import os

import numpy as np
import pytest

from jflow import Document, Flow, FlowError, FlowSpecError, RequestError


def texts(responses):
    return [d.text for r in responses for d in r.docs]


def test_add_chains_and_copies_like_jina():
    f = Flow()
    g = f.add(name='a')
    assert f.num_pods == 0 and g.num_pods == 1  # add() returns a new flow
    h = g.add(name='a')  # a repeated name is renamed, as Jina does
    assert [p['name'] for p in h._pods] == ['a', 'a1']


def test_sync_flow_index_search_train_and_lines(tmp_path):
    corpus = tmp_path / 'corpus.txt'
    corpus.write_text('one\n\ntwo\nthree\n')
    with Flow().add(name='p').add(name='q', uses='_log', runtime='process') as f:
        assert texts(f.index(['a', b'raw', {'text': 'c', 'tags': {'k': 1}}], batch_size=2)) == \
            ['a', '', 'c']
        assert texts(f.search([Document(text='q')], top_k=3)) == ['q']
        assert texts(f.train(iter(['t']))) == ['t']
        assert texts(f.index_lines(filepath=corpus)) == ['one', 'two', 'three']
        assert texts(f.index_lines(lines=['x', '', 'y'])) == ['x', 'y']
        assert texts(f.search_lines(filepath=str(corpus), size=2)) == ['one', 'two']
        assert f.search(['s'], top_k=4)[0].parameters == {'top_k': 4}
        runtimes = {s['pod']: s['runtime'] for s in f.status()}
        assert runtimes == {'p': 'thread', 'q': 'process'}


def test_generator_input_and_batches():
    def gen():
        for i in range(7):
            yield Document(id=str(i), text=f'doc {i}')

    sizes = []
    with Flow().add() as f:
        assert f.index(gen(), batch_size=3, on_done=lambda r: sizes.append(len(r.docs))) is None
    assert sizes == [3, 3, 1]


def test_index_files(tmp_path):
    (tmp_path / 'a.txt').write_bytes(b'alpha')
    (tmp_path / 'b.txt').write_bytes(b'beta')
    with Flow().add() as f:
        docs = [d for r in f.index_files(str(tmp_path / '*.txt')) for d in r.docs]
        assert [d.buffer for d in docs] == [b'alpha', b'beta']
        assert docs[0].tags['path'].endswith('a.txt')
        with pytest.raises(ValueError, match='patterns'):
            f.search_files(str(tmp_path / '*.none'))


def test_callbacks_and_failures():
    done, errors, always = [], [], []
    with Flow().add(name='boom', uses='- !FailDriver {message: kaput, every: 2}') as f:
        f.index(['a', 'b', 'c', 'd'], batch_size=1, on_done=done.append, on_error=errors.append,
                on_always=always.append)
        assert len(done) == 2 and len(errors) == 2 and len(always) == 4
        assert errors[0].status.code == 'error' and errors[0].status.pod == 'boom'
        assert 'kaput' in errors[0].status.message
        # No on_error: a failed request is not dropped silently, the call raises naming it.
        with pytest.raises(RequestError, match="boom.*kaput"):
            f.index(['a', 'b'], batch_size=1, on_done=done.append)


def test_exception_in_callback_reaches_the_caller():
    with Flow().add() as f:
        def explode(resp):
            raise KeyError('from the callback')
        with pytest.raises(KeyError, match='from the callback'):
            f.index(['a', 'b', 'c'], batch_size=1, on_done=explode)
        assert texts(f.index(['still works'])) == ['still works']


def test_needs_and_inspect_build_a_dag():
    f = (Flow().add(name='a').add(name='b', needs='gateway')
         .needs(['a', 'b'], name='join').inspect(name='check', uses='_log').add(name='end'))
    spec = f.yaml_spec
    assert 'needs:\n  - a\n  - b' in spec
    with f:
        docs = [d for r in f.index([Document(id='x', text='t')]) for d in r.docs]
        assert [d.id for d in docs] == ['x']  # _merge joined both parts of the document by id
    with pytest.raises(ValueError, match='two or more'):
        Flow().add(name='a').needs(['a'])


def test_save_and_load_config(tmp_path):
    path = tmp_path / 'flow.yml'
    f = Flow(timeout_ready='5s').add(name='w', uses='- !WaitDriver {duration: 1ms}', parallel=2)
    f.save_config(str(path))
    loaded = Flow.load_config(str(path))
    with loaded:
        assert texts(loaded.index(['z'])) == ['z']
    assert loaded.yaml_spec == f.yaml_spec
    bad = tmp_path / 'bad.yml'
    bad.write_text('version: 1\npods:\n  - name: x\n    uses: _pas\n')
    with pytest.raises(FlowSpecError, match=r'bad.yml:4:11: .*did you mean \'_pass\''):
        Flow.load_config(str(bad))


def test_bad_input_names_the_argument():
    with Flow().add() as f:
        with pytest.raises(ValueError, match=r'index_ndarray: array: expected a 2-D array.*3-D'):
            f.index_ndarray(np.zeros([2, 3, 4]))
        with pytest.raises(TypeError, match=r'array: dtype complex128 is not supported'):
            f.index_ndarray(np.zeros([2, 3], dtype=np.complex128))
        with pytest.raises(TypeError, match=r'index: input_fn: expected an iterable.*int'):
            f.index(42)
        with pytest.raises(TypeError, match=r'input_fn: expected an iterable.*str'):
            f.index('not a list')
        with pytest.raises(TypeError, match=r"index\(\) got an unexpected keyword argument "
                                            r"'batchsize'"):
            f.index(['a'], batchsize=3)
        with pytest.raises(TypeError, match=r'input_fn\[1\]: expected a Document, str'):
            f.index(['a', 3.5])
        with pytest.raises(TypeError, match=r"input_fn\[0\].tags\['k'\]: expected None, bool"):
            f.index([{'text': 'a', 'tags': {'k': [1]}}])
        with pytest.raises(ValueError, match=r'batch_size: expected a whole number >= 1'):
            f.index(['a'], batch_size=0)
        with pytest.raises(TypeError, match='give exactly one of lines= or filepath='):
            f.index_lines()
        assert texts(f.index(['fine'])) == ['fine']
    with pytest.raises(TypeError, match=r"add\(\) got an unexpected keyword argument 'port_in'"):
        Flow().add(port_in=5555)
    with pytest.raises(TypeError, match=r"Flow\(\) got an unexpected keyword argument 'rest_api'"):
        Flow(rest_api=True)
    with pytest.raises(ValueError, match='polling: expected one of any, all'):
        Flow().add(polling='some')
    with pytest.raises(FlowError, match='not running'):
        Flow().add().index(['a'])


def test_document_fields_are_checked():
    d = Document(id='1', text='t', buffer=b'b', tags={'a': 1.5}, score=0.5)
    d.chunks = [Document(text='c')]
    d.chunks.append(Document(text='c2'))
    assert [c.text for c in d.chunks] == ['c', 'c2']
    with pytest.raises(TypeError, match='Document.text: expected str, got int'):
        d.text = 3
    with pytest.raises(TypeError, match='Document.embedding: dtype'):
        d.embedding = np.array(['x'])
    with pytest.raises(TypeError, match="unknown Document field 'txt'"):
        with Flow().add() as f:
            f.index([{'txt': 'a'}])


def test_environment_from_flow_env(tmp_path):
    f = Flow(env={'JFLOW_PY_TEST_DURATION': '1ms'}).add(
        uses='- !WaitDriver {duration: ${JFLOW_PY_TEST_DURATION}}')
    with f:
        assert texts(f.index(['e'])) == ['e']
    assert os.environ['JFLOW_PY_TEST_DURATION'] == '1ms'
