"""gradio-fake: a scriptable fake Gradio queue server on a virtual clock.

The real, unmodified ``gradio_client`` talks to it in-process; jobs follow a
deterministic timeline in simulated time. See ``FakeGradio``.
"""

from __future__ import annotations

from ._clock import VirtualClock
from ._errors import ClientStuck, GradioFakeError, NeverEndingWait, ScenarioError, UnservedRequest
from ._fake import FakeGradio
from ._faults import Fault
from ._journal import MessageRecord, RequestRecord
from ._model import EndpointSpec, Error, Load
from ._space import Space
from ._versions import SUPPORTED_VERSIONS

__all__ = [
    "SUPPORTED_VERSIONS",
    "ClientStuck",
    "EndpointSpec",
    "Error",
    "FakeGradio",
    "Fault",
    "GradioFakeError",
    "Load",
    "MessageRecord",
    "NeverEndingWait",
    "RequestRecord",
    "ScenarioError",
    "Space",
    "UnservedRequest",
    "VirtualClock",
    "scenario_names",
]


def scenario_names() -> list[str]:
    """The names of the bundled scenarios (``FakeGradio.load(name)`` accepts them)."""
    from ._scenario import scenario_names as names

    return list(names())

__version__ = "0.1.0"
