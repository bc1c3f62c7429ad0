"""jflow for Python: Jina 0.8's Flow / AsyncFlow API over jflow's C++ core.

    from jflow import AsyncFlow
    async with AsyncFlow().add(uses='- !WaitDriver {duration: 1s}') as f:
        await f.index_ndarray(np.random.random([5, 4]), on_done=print)
"""
import os as _os

from ._errors import FlowError, FlowSpecError, RequestError

# Process peas run the `jflow` binary. An installed package finds the one installed with it
# (<prefix>/bin/jflow, four folders up from <prefix>/lib/python3.X/dist-packages/jflow/).
_installed = _os.path.join(_os.path.dirname(__file__), '..', '..', '..', '..', 'bin', 'jflow')
if not _os.environ.get('JFLOW_EXECUTABLE') and 'dist-packages' in __file__ \
        and _os.path.isfile(_installed):
    _os.environ['JFLOW_EXECUTABLE'] = _os.path.normpath(_installed)

from ._jflow import Document, Response, Status, set_log  # noqa: E402
from ._flow import AsyncFlow, Flow  # noqa: E402
from ._client import AsyncClient, Client  # noqa: E402

__all__ = ['AsyncClient', 'AsyncFlow', 'Client', 'Document', 'Flow', 'FlowError', 'FlowSpecError', 'RequestError',
           'Response', 'Status', 'set_log']
