"""jflow.set_log: the process's log level and format, which every pea of a flow logs with."""
import json

import pytest

from jflow import Flow, set_log


def test_set_log_json_lines_from_thread_and_process_peas(capfd):
    set_log(level='debug', format='json')
    try:
        with Flow().add(name='t', uses='_log').add(name='p', uses='_log', runtime='process') as f:
            f.index(['a'])
    finally:
        set_log()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert lines and all({'ts', 'level', 'pea', 'msg'} <= line.keys() for line in lines)
    assert {'t', 'p'} <= {line['pea'] for line in lines if line['level'] == 'debug'}
    logged = [line for line in lines if line['msg'].startswith('request ')]
    assert sorted(line['pea'] for line in logged) == ['p', 't']
    assert len({line['traceparent'] for line in logged}) == 1  # one request, one trace


def test_set_log_refuses_unknown_names():
    with pytest.raises(ValueError, match="got 'loud'"):
        set_log(level='loud')
    with pytest.raises(ValueError, match="got 'xml'"):
        set_log(format='xml')
