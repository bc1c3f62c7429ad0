"""numpy round trips: dtype and shape kept, arrays that come back are views over the reply's
bytes (no copy), documents nest."""
import numpy as np
import pytest

from jflow import Document, Flow

DTYPES = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32',
          'uint64']


@pytest.fixture(scope='module')
def flow():
    with Flow().add(uses='_pass').add(uses='_log') as f:  # _log decodes and re-encodes the body
        yield f


@pytest.mark.parametrize('dtype', DTYPES)
def test_blob_and_embedding_round_trip(flow, dtype):
    blob = (np.arange(24) % 7).astype(dtype).reshape(2, 3, 4)
    embedding = np.arange(5).astype(dtype)
    [response] = flow.index([Document(blob=blob, embedding=embedding)])
    [doc] = response.docs
    assert doc.blob.dtype == np.dtype(dtype) and doc.blob.shape == (2, 3, 4)
    np.testing.assert_array_equal(doc.blob, blob)
    np.testing.assert_array_equal(doc.embedding, embedding)


def test_returned_arrays_are_views_over_the_received_bytes(flow):
    [response] = flow.index_ndarray(np.arange(12, dtype=np.float32).reshape(3, 4))
    rows = [d.embedding for d in response.docs]
    for row in rows:
        assert not row.flags.owndata  # a view ...
        assert type(row.base).__name__ == 'PyCapsule'  # ... over the bytes the reply decoded into
        assert row.flags.writeable
    np.testing.assert_array_equal(np.stack(rows), np.arange(12, dtype=np.float32).reshape(3, 4))
    row = rows[1]
    del response, rows
    assert row.tolist() == [4.0, 5.0, 6.0, 7.0]  # the bytes live as long as the array


def test_non_contiguous_and_big_endian_input(flow):
    array = np.arange(20, dtype='>i4').reshape(4, 5)[:, ::2]
    [response] = flow.index_ndarray(array)
    got = np.stack([d.embedding for d in response.docs])
    assert got.dtype == np.dtype('int32')
    np.testing.assert_array_equal(got, array)
    transposed = flow.index_ndarray(np.arange(6.0).reshape(2, 3), axis=1)
    assert [d.embedding.tolist() for d in transposed[0].docs] == [[0.0, 3.0], [1.0, 4.0],
                                                                  [2.0, 5.0]]


def test_nested_documents_round_trip(flow):
    doc = Document(id='root', text='r', tags={'b': True, 'i': -3, 'f': 0.25, 's': 'x', 'n': None},
                   chunks=[Document(id='c', embedding=np.ones(3, np.float32),
                                    matches=[Document(id='m', score=0.75)])])
    [response] = flow.index([doc])
    [back] = response.docs
    assert back == doc
    assert back.chunks[0].matches[0].score == 0.75
    assert back.tags == {'b': True, 'i': -3, 'f': 0.25, 's': 'x', 'n': None}


def test_ndarray_rows_as_input_fn(flow):
    array = np.random.random([4, 3])
    [response] = flow.index(array)  # a 2-D array given as input_fn: one document per row
    np.testing.assert_array_equal(np.stack([d.embedding for d in response.docs]), array)
