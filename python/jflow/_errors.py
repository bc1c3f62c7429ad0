"""The exceptions of the jflow package."""


class FlowError(RuntimeError):
    """The flow could not do what was asked: a pea failed to start, the flow is closed, ..."""


class FlowSpecError(ValueError):
    """A flow description is wrong; the message starts with file:line:col."""


class RequestError(RuntimeError):
    """A request of a call ended in an error and the call had no on_error to hand it to."""
