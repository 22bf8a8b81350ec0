"""Hook specifications of gradio-fake's plugins, and the types plugins hand back.

gradio-fake is extended with `pluggy <https://pluggy.readthedocs.io>`_, as pytest is.
A plugin is any module or object with functions marked ``@hookimpl`` whose names are
the hooks below. Install one with an entry point in the ``gradio_fake`` group::

    # the plugin's pyproject.toml
    [project.entry-points.gradio_fake]
    flaky_proxy = "gradio_fake_flaky_proxy"

or register it in-process with :func:`register_plugin` (this module). Entry points
are loaded once per process, the first time gradio-fake needs its catalogues (a
``FakeGradio`` is made, a fault is planned, ``FAULT_KINDS`` is read, a Gradio
version or component type gradio-fake does not know itself is asked for).

Every hook returns a list of descriptions; gradio-fake merges them (its own
built-ins are an internal plugin using these same hooks) and refuses two
descriptions of the same name, naming both plugins. See docs/hooks.md.

Example, a fault a proxy in front of the Space might cause::

    from gradio_fake.hookspecs import FaultContext, FaultKind, FaultParam, FaultRequest, hookimpl

    def _gateway_timeout(ctx: FaultContext, request: FaultRequest):
        if request.route != ctx.params["route"]:
            return None            # not ours: the Space answers as usual
        return ctx.reply(504, "<html>504 Gateway Time-out</html>", content_type="text/html")

    @hookimpl
    def gradio_fake_faults():
        return [FaultKind("gateway_timeout", "A proxy answers 504.",
                          params=(FaultParam("route", str, "join", "Which requests.",
                                             choices=("join", "data")),
                                  FaultParam("times", int, 1, "How many.", minimum=1)),
                          request=_gateway_timeout)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from ._components import ComponentKind
from ._faults import FaultContext, FaultKind, FaultMessage, FaultParam, FaultRequest
from ._versions import GradioVersion

__all__ = [
    "PROJECT",
    "ComponentKind",
    "FaultContext",
    "FaultKind",
    "FaultMessage",
    "FaultParam",
    "FaultRequest",
    "GradioVersion",
    "MessageKind",
    "hookimpl",
    "hookspec",
    "register_plugin",
    "unregister_plugin",
]

#: The pluggy project name, which is also the entry-point group plugins are found in.
PROJECT = "gradio_fake"

#: Marks a hook specification (gradio-fake's own use).
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks a plugin's implementation of a hook: ``@hookimpl def gradio_fake_faults(): ...``.
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class MessageKind:
    """An SSE message kind the emulated server can send beside Gradio's usual ones.

    ``shape(fields, version)`` returns the payload's keys other than ``msg`` and
    ``event_id`` for a message of this kind, as the emulated ``version`` would send
    them; ``fields`` are what the sender passed (for instance
    :meth:`FaultContext.send`). The client decides what such a message does: a
    ``msg`` missing from its ``Status.msg_to_status`` fails the job with ``KeyError``
    (PROTOCOL.md §6 trap 16).
    """

    #: the ``msg`` value, e.g. ``"process_streaming"``.
    name: str
    #: one sentence for docs and error messages.
    description: str
    #: ``(fields, version) -> payload keys`` (besides ``msg`` and ``event_id``).
    shape: Callable[[Mapping[str, Any], GradioVersion], Mapping[str, Any]]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a MessageKind needs a non-empty name, not {self.name!r}")
        if not callable(self.shape):
            raise TypeError(f"MessageKind {self.name!r}: shape must be callable")


@hookspec
def gradio_fake_versions() -> list[GradioVersion]:  # type: ignore[empty-body]
    """Emulated Gradio server versions to add (``FakeGradio.space(..., gradio=<version>)``).

    Each :class:`GradioVersion` is a profile of server facts (config shape, api
    prefix, message fields, cancel semantics). A version string gradio-fake already
    emulates is refused.
    """


@hookspec
def gradio_fake_components(version: str) -> list[ComponentKind]:  # type: ignore[empty-body]
    """Component kinds to add, as the emulated Gradio ``version`` describes them.

    Return ``[]`` for a version your component does not exist in. A ``type``
    gradio-fake already knows is refused.
    """


@hookspec
def gradio_fake_message_kinds() -> list[MessageKind]:  # type: ignore[empty-body]
    """SSE message kinds (beyond Gradio's usual ones) and how each is shaped on the wire."""


@hookspec
def gradio_fake_faults() -> list[FaultKind]:  # type: ignore[empty-body]
    """Fault kinds: their parameters and how each acts (see :class:`FaultKind`)."""


def register_plugin(plugin: object, name: str | None = None) -> str:
    """Register ``plugin`` (a module or object with ``@hookimpl`` functions) in this process.

    Entry-point plugins are loaded first if they were not yet. Returns the name the
    plugin is registered under; ``ValueError`` if that name is taken, and the
    errors of a bad catalogue (a duplicate fault kind, a wrong return type) at once.
    """
    from ._hooks import register

    return register(plugin, name)


def unregister_plugin(plugin: object) -> None:
    """Remove a plugin registered with :func:`register_plugin`, and the versions it added."""
    from ._hooks import unregister

    unregister(plugin)
