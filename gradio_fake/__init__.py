"""gradio-fake: a scriptable fake Gradio queue server on a virtual clock.

The real, unmodified ``gradio_client`` talks to it in-process; jobs follow a
deterministic timeline in simulated time. See ``FakeGradio``.
"""

from __future__ import annotations

from ._clock import VirtualClock
from ._errors import ClientStuck, GradioFakeError, NeverEndingWait, ScenarioError, UnservedRequest
from ._fake import FakeGradio
from ._journal import MessageRecord, RequestRecord
from ._model import EndpointSpec, Error
from ._space import Space
from ._versions import SUPPORTED_VERSIONS

__all__ = [
    "SUPPORTED_VERSIONS",
    "ClientStuck",
    "EndpointSpec",
    "Error",
    "FakeGradio",
    "GradioFakeError",
    "MessageRecord",
    "NeverEndingWait",
    "RequestRecord",
    "ScenarioError",
    "Space",
    "UnservedRequest",
    "VirtualClock",
]

__version__ = "0.1.0"
