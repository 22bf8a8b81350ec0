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
from ._faults import FAULT_KINDS, Fault
from ._journal import Journal, MessageRecord, RequestRecord
from ._model import EndpointSpec, Error, Load
from ._scenario import Scenario, find_scenario, load_scenario, scenario_names
from ._scenario_report import RunReport
from ._space import Space
from ._versions import SUPPORTED_VERSIONS
from .hookspecs import register_plugin, unregister_plugin

__all__ = [
    "FAULT_KINDS",
    "SUPPORTED_VERSIONS",
    "ClientStuck",
    "EndpointSpec",
    "Error",
    "FakeGradio",
    "Fault",
    "GradioFakeError",
    "Journal",
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
    "register_plugin",
    "scenario_names",
    "unregister_plugin",
]


__version__ = "0.1.0"
