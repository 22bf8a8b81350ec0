"""gradio-fake: a scriptable fake Gradio queue server on a virtual clock.

The real, unmodified ``gradio_client`` talks to it in-process; jobs follow a
deterministic timeline in simulated time. See ``FakeGradio``.
"""

from __future__ import annotations

from ._clock import VirtualClock
from ._errors import (
    ClientStuck,
    GradioFakeError,
    NeverEndingWait,
    ScenarioError,
    StrictModeError,
    UnservedRequest,
)
from ._fake import FakeGradio
from ._faults import Fault
from ._journal import MessageRecord, RequestRecord
from ._model import EndpointSpec, Error, Load
from ._scenario import Scenario, find_scenario, load_scenario, scenario_names
from ._scenario_report import RunReport
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
    "RunReport",
    "Scenario",
    "ScenarioError",
    "Space",
    "StrictModeError",
    "UnservedRequest",
    "VirtualClock",
    "find_scenario",
    "load_scenario",
    "scenario_names",
]


__version__ = "0.1.0"
