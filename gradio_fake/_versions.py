"""What differs between the emulated Gradio server versions.

Each :class:`GradioVersion` is a profile of facts read from the real server
(see PROTOCOL.md): the config shape, the api prefix, message fields, error
payloads, progress throttling and cancel semantics.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["SUPPORTED_VERSIONS", "GradioVersion", "gradio_version", "register_version"]


@dataclass(frozen=True)
class GradioVersion:
    """Facts about one real Gradio server version that the fake imitates."""

    version: str
    #: ``""`` (4.x) or ``"/gradio_api"`` (5.x, 6.x); ``/config`` and ``/login`` stay at root.
    api_prefix: str
    protocol: str = "sse_v3"
    #: ``event_id: null`` on heartbeat / close_stream / unexpected_error (4.44+); absent on 4.32.
    null_event_ids: bool = True
    #: interval of the progress update loop, in seconds.
    progress_interval: float = 0.1
    #: /cancel queues the {} completion even when the event is no longer pending (4.32).
    cancel_always_completes: bool = False
    #: /cancel removes a queued event from the queue (6.31); before, it stays and runs later.
    cancel_removes_queued: bool = False
    #: a running job cancelled by a /cancel aimed at another event never completes (6.31).
    cancelled_running_never_completes: bool = False
    #: /reset on a live generator drops the event (4.32 only); 5.x+ /reset is a no-op.
    reset_cleans_generators: bool = False
    #: error payload keys of gr.Error: 4.32 {"error"}, 4.44 +duration/visible, 5.x+ +title.
    error_extra_keys: tuple[str, ...] = ()
    #: log message extra keys (4.44+: duration, visible; 5.x+: title).
    log_extra_keys: tuple[str, ...] = ()
    #: process_completed / process_generating carry ``title`` (5.x+) and cache fields (6.x).
    completed_title: bool = False
    completed_cache_fields: bool = False
    generating_time_limit: bool = False
    #: validators may reject a join with HTTP 422 (5.x+).
    validators: bool = False
    #: /info carries api_visibility + description instead of show_api (6.x).
    info_api_visibility: bool = False
    #: estimation formula family: "v4" (4.x, 5.x) or "v6".
    eta_model: str = "v4"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


_V4_32 = GradioVersion(
    version="4.32.2",
    api_prefix="",
    null_event_ids=False,
    cancel_always_completes=True,
    reset_cleans_generators=True,
)
_V4_44 = GradioVersion(
    version="4.44.1",
    api_prefix="",
    error_extra_keys=("duration", "visible"),
    log_extra_keys=("duration", "visible"),
)
_V5_50 = GradioVersion(
    version="5.50.0",
    api_prefix="/gradio_api",
    error_extra_keys=("duration", "visible", "title"),
    log_extra_keys=("duration", "visible", "title"),
    completed_title=True,
    generating_time_limit=True,
    validators=True,
)
_V6_31 = GradioVersion(
    version="6.31.0",
    api_prefix="/gradio_api",
    progress_interval=0.01,
    cancel_removes_queued=True,
    cancelled_running_never_completes=True,
    error_extra_keys=("duration", "visible", "title"),
    log_extra_keys=("duration", "visible", "title"),
    completed_title=True,
    completed_cache_fields=True,
    generating_time_limit=True,
    validators=True,
    info_api_visibility=True,
    eta_model="v6",
)

_REGISTRY: dict[str, GradioVersion] = {v.version: v for v in (_V4_32, _V4_44, _V5_50, _V6_31)}
# Short names a user is likely to type.
_ALIASES = {"4": "4.44.1", "4.32": "4.32.2", "4.44": "4.44.1", "5": "5.50.0", "5.50": "5.50.0",
            "6": "6.31.0", "6.31": "6.31.0"}

SUPPORTED_VERSIONS: tuple[str, ...] = tuple(_REGISTRY)
DEFAULT_VERSION = "5.50.0"


def unregister_version(version: str) -> None:
    """Remove a version a plugin added (the built-in ones stay)."""
    if version not in SUPPORTED_VERSIONS:
        _REGISTRY.pop(version, None)


def register_version(profile: GradioVersion) -> None:
    """Add an emulated version (used by plugins through the ``gradio_fake`` hooks)."""
    _REGISTRY[profile.version] = profile


def _load_plugins() -> None:
    """Make the process-wide plugin manager, if not yet: it registers plugins' versions."""
    from ._hooks import plugin_manager  # it imports this module

    plugin_manager()


def gradio_version(name: str) -> GradioVersion:
    """The profile for ``name`` ("4.44.1", "4.44", "6"…); ValueError listing the known ones.

    A name not among the built-in versions loads the plugins (entry points of the
    ``gradio_fake`` group) first, so a version a plugin adds is found.
    """
    if not isinstance(name, str):
        raise TypeError(f"gradio= must be a version string such as '4.44.1', not {name!r}")
    key = _ALIASES.get(name, name)
    if key not in _REGISTRY:
        _load_plugins()
    try:
        return _REGISTRY[key]
    except KeyError:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"gradio={name!r} is not an emulated Gradio version; "
            f"supported: {', '.join(_REGISTRY)}{hint}"
        ) from None
