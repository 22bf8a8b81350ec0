"""A fake Space: its identity, emulated Gradio version, queue settings and endpoints."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ._model import EndpointSpec, Error, Load, ScriptStep, make_endpoint, normalize_script
from ._versions import DEFAULT_VERSION, GradioVersion, gradio_version

__all__ = ["Space", "space_host"]

_SPACE_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
_UNSET: Any = object()


def space_host(space_id: str) -> str:
    """The ``*.hf.space`` origin the Hub reports for a Space id, as Hugging Face derives it."""
    owner, name = space_id.split("/", 1)
    sub = re.sub(r"[^a-z0-9]+", "-", f"{owner}-{name}".lower()).strip("-")
    return f"https://{sub}.hf.space"


class Space:
    """One fake Gradio app, reached by a Space id (``"owner/name"``) or a URL.

    Made by :meth:`FakeGradio.space`; add endpoints with :meth:`endpoint`.
    """

    def __init__(
        self,
        space_id_or_url: str,
        *,
        gradio: str = DEFAULT_VERSION,
        max_size: int | None = None,
        max_file_size: int | None = None,
        show_error: bool = False,
        quirks: bool = True,
        stage: str = "RUNNING",
        ready_at: float | None = None,
        private: bool = False,
        load: Load | Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(space_id_or_url, str) or not space_id_or_url:
            raise TypeError(f"space id or URL must be a non-empty string, "
                            f"not {space_id_or_url!r}")
        self.version: GradioVersion = gradio_version(gradio)
        if space_id_or_url.startswith(("http://", "https://")):
            parts = urlsplit(space_id_or_url)
            if not parts.netloc:
                raise ValueError(f"{space_id_or_url!r} is not a valid URL")
            self.space_id: str | None = None
            path = parts.path if parts.path.endswith("/") else parts.path + "/"
            self.root = f"{parts.scheme}://{parts.netloc.lower()}{path}"
        elif _SPACE_ID.match(space_id_or_url):
            self.space_id = space_id_or_url
            self.root = space_host(space_id_or_url) + "/"
        else:
            raise ValueError(
                f"{space_id_or_url!r} is neither a Space id ('owner/name') nor an http(s) URL")
        if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, int)
                                     or max_size < 0):
            raise ValueError(f"max_size must be a non-negative int or None, not {max_size!r}")
        if max_file_size is not None and (not isinstance(max_file_size, int)
                                          or max_file_size < 0):
            raise ValueError(f"max_file_size must be a non-negative int (bytes) or None, "
                             f"not {max_file_size!r}")
        stages = ("RUNNING", "BUILDING", "PAUSED", "RUNTIME_ERROR", "BUILD_ERROR",
                  "CONFIG_ERROR", "NO_APP_FILE", "SLEEPING")
        if stage not in stages:
            raise ValueError(f"stage must be one of {stages}, not {stage!r}")
        self.max_size = max_size
        self.max_file_size = max_file_size
        self.show_error = bool(show_error)
        self.quirks = bool(quirks)
        self.stage = stage
        if ready_at is not None and (isinstance(ready_at, bool)
                                     or not isinstance(ready_at, (int, float)) or ready_at < 0):
            raise ValueError(f"ready_at must be a virtual time >= 0, not {ready_at!r}")
        if ready_at is not None and stage != "BUILDING":
            raise ValueError("ready_at= is the virtual time a BUILDING Space starts running; "
                             f"it needs stage='BUILDING', not {stage!r}")
        self.ready_at = None if ready_at is None else float(ready_at)
        self.private = bool(private)
        self.load: Load | None = Load.coerce(load)
        self.endpoints: list[EndpointSpec] = []
        self.app_id = int(hashlib.sha1(self.root.encode()).hexdigest()[:12], 16)
        self._on_change: Callable[[], None] | None = None

    @property
    def is_hub_space(self) -> bool:
        return self.space_id is not None

    @property
    def name(self) -> str:
        """The Space id, or the URL it is served at."""
        return self.space_id or self.root

    def endpoint(
        self,
        api_name: str | None,
        *,
        inputs: Sequence[Any] | str,
        outputs: Sequence[Any] | str,
        fn: Callable[..., Any] | None = None,
        result: Any = _UNSET,
        duration: float = 0.0,
        progress: Sequence[Any] = (),
        yields: Sequence[Any] = (),
        logs: Sequence[Any] = (),
        error: str | Error | None = None,
        concurrency_limit: int | None = 1,
        concurrency_id: str | None = None,
        show_api: bool = True,
        validator: Callable[..., Any] | None = None,
        script: Sequence[Any] | None = None,
    ) -> EndpointSpec:
        """Add an endpoint (a Gradio event listener with an API name).

        - ``inputs``/``outputs``: component type names as Gradio spells them
          (``"textbox"``, ``"number"``, ``"image"``, ``"file"``, ``"json"``, ``"state"``…)
          or dicts with ``type`` and ``label``.
        - ``fn(*inputs)`` computes the output (a tuple for several outputs); ``result`` is a
          fixed output instead; a generator ``fn`` or ``yields=[…]`` gives intermediate
          outputs spread evenly over the duration, the last one being the final output.
        - ``duration``: virtual seconds from start to completion (``math.inf``: never ends).
        - ``progress``: steps spread evenly over the duration, each a fraction, an
          ``(index, length)`` pair or a dict with ``progress``, ``index``, ``length``,
          ``unit``, ``desc``; sent at the emulated version's progress-loop ticks.
        - ``logs``: ``(at, level, message)`` triples, ``at`` seconds after the start.
        - ``error``: the call fails at the end of its duration as ``gr.Error(error)`` would.
        - ``concurrency_limit``: as in Gradio (default 1; ``None`` for unlimited).
        - ``validator(*inputs)``: return a message (or ``{parameter: message}``) to reject
          the join with HTTP 422 (Gradio 5+), or ``None`` to accept.
        - ``script``: the exact messages of every call, ``[(at, kind, fields), ...]`` with
          ``at`` in virtual seconds after its join, instead of the queue model (see
          ``normalize_script``); e.g. ``[(0, "estimation", {"rank": 7, "queue_size": 8,
          "eta": 600}), (600, "process_starts"), (660, "process_completed", "done")]``.

        Files: an uploaded file input reaches ``fn`` as a local path; a file output is
        a path, which the client downloads.
        """
        if validator is not None and not self.version.validators:
            raise ValueError(f"validator= needs Gradio 5 or later; this Space emulates "
                             f"{self.version.version}")
        if api_name is not None and any(ep.api_name == str(api_name).strip("/")
                                        for ep in self.endpoints):
            raise ValueError(f"api_name {api_name!r} is already used by another endpoint "
                             f"of {self.name}")
        spec = make_endpoint(
            api_name, inputs=inputs, outputs=outputs, fn=fn,
            result=None if result is _UNSET else result, has_result=result is not _UNSET,
            duration=duration, progress=progress, yields=yields, logs=logs, error=error,
            concurrency_limit=concurrency_limit, concurrency_id=concurrency_id,
            show_api=show_api, validator=validator, script=script,
            fn_index=len(self.endpoints), gradio=self.version.version,
        )
        self.endpoints.append(spec)
        if self._on_change is not None:
            self._on_change()
        return spec

    def script_next_call(self, api_name: str, script: Sequence[Any]) -> tuple[ScriptStep, ...]:
        """Give the next call of endpoint ``api_name`` its own exact timeline.

        ``script`` is as in :meth:`endpoint`: ``[(at, kind, fields), ...]`` with ``at`` in
        virtual seconds after that call's join (see ``normalize_script``). The next join
        of the endpoint plays it instead of the queue model (or of the endpoint's own
        ``script=``); the calls after it are untouched. Called several times, the
        timelines go to the next calls in order, one each. A join the queue refuses
        (``max_size``) still takes its timeline; one a validator rejects never reaches
        the queue and does not. Like an endpoint script, a scripted call is outside the
        queue: it holds no worker and other calls do not wait for it. Cancelling it
        sends the ``{}`` completion of any pending event; with ``quirks`` on, the rest
        of its timeline still plays (like a cancelled queued event that still runs
        before Gradio 6.31), with ``quirks=False`` it is dropped.

        Returns the checked steps (pass them to ``discard_call_script`` to take them
        back before a call used them). A ``TypeError``/``ValueError`` names a bad step.
        """
        endpoint = self._endpoint_named(api_name)
        steps = normalize_script(script)
        if not steps:
            raise ValueError("script= needs at least one step (a call with no message "
                             "at all never ends)")
        endpoint.call_scripts.push(steps)
        return steps

    def discard_call_script(self, api_name: str, steps: tuple[ScriptStep, ...]) -> bool:
        """Take back a timeline queued by :meth:`script_next_call` that no call used yet;
        True if it was still queued."""
        return self._endpoint_named(api_name).call_scripts.discard(steps)

    def _endpoint_named(self, api_name: str) -> EndpointSpec:
        if not isinstance(api_name, str):
            raise TypeError(f"api_name must be a string such as '/predict', not {api_name!r}")
        name = api_name.strip("/")
        for ep in self.endpoints:
            if ep.api_name == name:
                return ep
        routes = ", ".join(ep.route for ep in self.endpoints) or "none yet"
        raise ValueError(f"{self.name} has no endpoint {api_name!r} (endpoints: {routes})")

    def __repr__(self) -> str:
        names = ", ".join(ep.route for ep in self.endpoints)
        return f"<Space {self.name} gradio={self.version.version} endpoints=[{names}]>"
