"""The validated, immutable description of a fake Space's endpoints.

Everything a user passes to ``Space.endpoint(...)`` is checked here, at
definition time, so a mistake is a ``TypeError``/``ValueError`` naming the
argument at the user's own line rather than a failure deep inside a test.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._components import component_kind, known_component_types

__all__ = [
    "CallScripts",
    "ComponentSpec",
    "EndpointSpec",
    "Error",
    "Load",
    "LogSpec",
    "make_endpoint",
    "normalize_progress",
]

_LOG_LEVELS = ("info", "warning", "success", "error")


class Error(Exception):
    """Raise from an endpoint's ``fn`` (or pass as ``error=``) to fail the call like ``gr.Error``.

    The client gets an ``AppError`` carrying ``message`` (and, on Gradio 5+ with
    gradio_client 1.14+, ``title``, ``duration`` and ``visible``).
    """

    def __init__(self, message: str, *, title: str = "Error", duration: float | None = 10,
                 visible: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        self.duration = duration
        self.visible = visible

    def __repr__(self) -> str:
        return f"Error({self.message!r}, title={self.title!r})"


@dataclass(frozen=True)
class ComponentSpec:
    """One input or output component: its Gradio type name and label."""

    type: str
    label: str


@dataclass(frozen=True)
class LogSpec:
    """A ``gr.Info``/``gr.Warning`` message sent ``at`` seconds after the call starts."""

    at: float
    level: str
    message: str


_SCRIPT_KINDS = ("estimation", "process_starts", "progress", "log", "process_generating",
                 "process_completed")


@dataclass(frozen=True)
class ScriptStep:
    """One message of a scripted call, ``at`` virtual seconds after its join."""

    at: float
    kind: str
    fields: Any = None


def normalize_script(script: Sequence[Any]) -> tuple[ScriptStep, ...]:
    """Validate ``script=[(at, kind, fields), ...]`` (fields optional for some kinds).

    - ``("estimation", {"rank": 7, "queue_size": 8, "eta": 600.0})``
    - ``("process_starts",)`` or ``("process_starts", {"eta": 30.0})``
    - ``("progress", step)`` where step is as in ``progress=``
    - ``("log", ("info", "message"))``
    - ``("process_generating", value)`` — an intermediate output
    - ``("process_completed", value)`` — the result; or an ``Error``/``{"error": "..."}``
    """
    if isinstance(script, (str, bytes)) or not isinstance(script, Sequence):
        raise TypeError(f"script= must be a list of (at, kind, fields) steps, not {script!r}")
    steps: list[ScriptStep] = []
    last = 0.0
    for i, raw in enumerate(script):
        where = f"script[{i}]"
        if not isinstance(raw, (tuple, list)) or len(raw) not in (2, 3):
            raise TypeError(f"{where} must be (at, kind) or (at, kind, fields), not {raw!r}")
        at = _number(f"{where} at", raw[0])
        kind = raw[1]
        fields = raw[2] if len(raw) == 3 else None
        if kind not in _SCRIPT_KINDS:
            raise ValueError(f"{where} kind must be one of {_SCRIPT_KINDS}, not {kind!r}")
        if at < last:
            raise ValueError(f"{where} at={at} is before the previous step (at={last}); "
                             f"steps must be in time order")
        if steps and steps[-1].kind == "process_completed":
            raise ValueError(f"{where} comes after process_completed, which ends the call")
        last = at
        if kind == "estimation":
            if not isinstance(fields, Mapping) or set(fields) - {"rank", "queue_size", "eta"}:
                raise TypeError(f"{where}: an estimation takes a dict with rank, queue_size "
                                f"and eta, not {fields!r}")
        elif kind == "process_starts":
            if fields is not None and (not isinstance(fields, Mapping) or set(fields) - {"eta"}):
                raise TypeError(f"{where}: process_starts takes nothing or {{'eta': s}}")
        elif kind == "progress":
            fields = normalize_progress(fields, where)
        elif kind == "log":
            if not (isinstance(fields, (tuple, list)) and len(fields) == 2
                    and fields[0] in _LOG_LEVELS and isinstance(fields[1], str)):
                raise TypeError(f"{where}: a log takes (level, message) with level in "
                                f"{_LOG_LEVELS}, not {fields!r}")
            fields = (fields[0], fields[1])
        elif kind == "process_completed" and isinstance(fields, Mapping) and "error" in fields:
            fields = Error(str(fields["error"]), title=str(fields.get("title", "Error")))
        steps.append(ScriptStep(at, kind, fields))
    return tuple(steps)


class CallScripts:
    """The exact timelines queued for the next calls of one endpoint, first in, first out.

    Filled by :meth:`Space.script_next_call`; the queue takes one at each join of the
    endpoint (:meth:`QueueSim.join`). The only mutable part of an :class:`EndpointSpec`.
    """

    def __init__(self) -> None:
        self._queued: list[tuple[ScriptStep, ...]] = []

    def push(self, steps: tuple[ScriptStep, ...]) -> None:
        """Queue ``steps`` for the first call that joins after the ones already queued."""
        self._queued.append(steps)

    def take(self) -> tuple[ScriptStep, ...] | None:
        """The timeline of the call joining now, or None when none is queued."""
        return self._queued.pop(0) if self._queued else None

    def discard(self, steps: tuple[ScriptStep, ...]) -> bool:
        """Drop ``steps`` (this very object) if no join has taken it; True if dropped."""
        for i, queued in enumerate(self._queued):
            if queued is steps:
                del self._queued[i]
                return True
        return False

    def __len__(self) -> int:
        return len(self._queued)

    def __repr__(self) -> str:
        return f"<CallScripts {len(self._queued)} queued>"


@dataclass(frozen=True)
class EndpointSpec:
    """An endpoint of a fake Space (see ``Space.endpoint`` for the meaning of each field)."""

    api_name: str | None
    inputs: tuple[ComponentSpec, ...]
    outputs: tuple[ComponentSpec, ...]
    fn: Callable[..., Any] | None = None
    result: Any = None
    has_result: bool = False
    duration: float = 0.0
    progress: tuple[dict[str, Any], ...] = ()
    yields: tuple[Any, ...] = ()
    logs: tuple[LogSpec, ...] = ()
    error: Error | None = None
    concurrency_limit: int | None = 1
    concurrency_id: str | None = None
    show_api: bool = True
    validator: Callable[..., Any] | None = None
    script: tuple[ScriptStep, ...] = ()
    fn_index: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: timelines queued for its next calls (``Space.script_next_call``).
    call_scripts: CallScripts = field(default_factory=CallScripts, compare=False, repr=False)

    @property
    def is_generator(self) -> bool:
        return bool(self.yields) or (self.fn is not None and inspect.isgeneratorfunction(self.fn))

    @property
    def route(self) -> str:
        """The api name as the client spells it (``"/predict"``), or ``"fn_index=N"``."""
        return f"/{self.api_name}" if self.api_name else f"fn_index={self.fn_index}"


def _components(arg: str, value: Any, gradio: str) -> tuple[ComponentSpec, ...]:
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, Sequence):
        raise TypeError(f"{arg}= must be a list of component type names or dicts, not {value!r}")
    specs = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            type_name, label = item, None
        elif isinstance(item, Mapping):
            unknown = set(item) - {"type", "label"}
            if unknown or "type" not in item:
                raise TypeError(
                    f"{arg}[{i}] must be a dict with 'type' and optional 'label', got keys "
                    f"{sorted(item)}"
                )
            type_name, label = item["type"], item.get("label")
        else:
            raise TypeError(f"{arg}[{i}] must be a component type name or a dict, not {item!r}")
        if not isinstance(type_name, str):
            raise TypeError(f"{arg}[{i}] type must be a string, not {type_name!r}")
        try:
            kind = component_kind(type_name, gradio)
        except ValueError as exc:
            raise ValueError(f"{arg}[{i}]: {exc}") from None
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{arg}[{i}] label must be a string, not {label!r}")
        specs.append(ComponentSpec(type=kind.type, label=label or f"{kind.class_name}"))
    return tuple(specs)


def normalize_progress(step: Any, where: str = "progress") -> dict[str, Any]:
    """One progress step as the ``progress_data`` unit Gradio sends.

    A float is ``gr.Progress()(0.25)``; an ``(index, length)`` pair is a tracked
    iterable; a dict may carry ``progress``, ``index``, ``length``, ``unit``, ``desc``.
    """
    unit: dict[str, Any] = {"index": None, "length": None, "unit": "steps",
                            "progress": None, "desc": None}
    if isinstance(step, bool):
        raise TypeError(f"{where}: a progress step cannot be a bool")
    if isinstance(step, (int, float)):
        if not 0 <= step <= 1:
            raise ValueError(f"{where}: a progress fraction must be within [0, 1], got {step!r}")
        unit["progress"] = float(step)
    elif isinstance(step, tuple) and len(step) == 2:
        index, length = step
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in step):
            raise TypeError(f"{where}: an (index, length) step must hold two ints, got {step!r}")
        if length < 0 or index < 0:
            raise ValueError(f"{where}: (index, length) must be >= 0, got {step!r}")
        unit["index"], unit["length"] = index, length
    elif isinstance(step, Mapping):
        unknown = set(step) - set(unit)
        if unknown:
            raise TypeError(f"{where}: unknown progress keys {sorted(unknown)}; "
                            f"allowed: {sorted(unit)}")
        unit.update(step)
    else:
        raise TypeError(f"{where}: a progress step is a fraction, an (index, length) pair "
                        f"or a dict, not {step!r}")
    return unit


def _number(arg: str, value: Any, *, allow_inf: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{arg}= must be a number of seconds, not {value!r}")
    if math.isnan(value) or value < 0 or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{arg}= must be >= 0{' (or math.inf)' if allow_inf else ''}, "
                         f"got {value!r}")
    return float(value)


def make_endpoint(
    api_name: str | None,
    *,
    inputs: Any,
    outputs: Any,
    fn: Callable[..., Any] | None = None,
    result: Any = None,
    has_result: bool = False,
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
    fn_index: int = 0,
    gradio: str = "5.50.0",
) -> EndpointSpec:
    """Validate the arguments of ``Space.endpoint`` and build the immutable spec.

    ``gradio`` is the Space's emulated version: the components must exist in it (a
    plugin's component may exist in some versions only).
    """
    if api_name is not None:
        if not isinstance(api_name, str) or not api_name.strip("/"):
            raise TypeError(f"api_name must be a non-empty string such as '/predict', "
                            f"not {api_name!r}")
        api_name = api_name.strip("/")
    ins = _components("inputs", inputs, gradio)
    outs = _components("outputs", outputs, gradio)
    if fn is not None and not callable(fn):
        raise TypeError(f"fn= must be callable, not {fn!r}")
    if fn is not None and has_result:
        raise TypeError("give either fn= (computes the output) or result= (a fixed output), "
                        "not both")
    dur = _number("duration", duration, allow_inf=True)
    if isinstance(progress, (str, bytes)) or not isinstance(progress, Sequence):
        raise TypeError(f"progress= must be a list of steps, not {progress!r}")
    steps = tuple(normalize_progress(s, f"progress[{i}]") for i, s in enumerate(progress))
    if isinstance(yields, (str, bytes)) or not isinstance(yields, Sequence):
        raise TypeError(f"yields= must be a list of intermediate outputs, not {yields!r}")
    if yields and fn is not None and inspect.isgeneratorfunction(fn):
        raise TypeError("give either a generator fn= or yields=, not both")
    log_specs = []
    for i, entry in enumerate(logs):
        if not (isinstance(entry, (tuple, list)) and len(entry) == 3):
            raise TypeError(f"logs[{i}] must be an (at, level, message) triple, not {entry!r}")
        at, level, message = entry
        at_f = _number(f"logs[{i}] at", at)
        if math.isfinite(dur) and at_f > dur:
            raise ValueError(f"logs[{i}] at={at_f} is after the end of the call "
                             f"(duration={dur})")
        if level not in _LOG_LEVELS:
            raise ValueError(f"logs[{i}] level must be one of {_LOG_LEVELS}, not {level!r}")
        if not isinstance(message, str):
            raise TypeError(f"logs[{i}] message must be a string, not {message!r}")
        log_specs.append(LogSpec(at_f, level, message))
    err: Error | None
    if error is None:
        err = None
    elif isinstance(error, Error):
        err = error
    elif isinstance(error, str):
        err = Error(error)
    else:
        raise TypeError(f"error= must be a message string or gradio_fake.Error, not {error!r}")
    if concurrency_limit is not None and (
        isinstance(concurrency_limit, bool) or not isinstance(concurrency_limit, int)
        or concurrency_limit < 1
    ):
        raise ValueError(f"concurrency_limit must be a positive int or None (unlimited), "
                         f"not {concurrency_limit!r}")
    if concurrency_id is not None and not isinstance(concurrency_id, str):
        raise TypeError(f"concurrency_id must be a string, not {concurrency_id!r}")
    if validator is not None and not callable(validator):
        raise TypeError(f"validator= must be callable, not {validator!r}")
    script_steps: tuple[ScriptStep, ...] = ()
    if script is not None:
        clashing = [name for name, value in (("fn", fn), ("result", has_result or None),
                                              ("duration", dur or None), ("progress", progress),
                                              ("yields", yields), ("logs", logs),
                                              ("error", error)) if value]
        if clashing:
            raise TypeError(f"script= gives the whole timeline of a call; drop "
                            f"{', '.join(c + '=' for c in clashing)}")
        script_steps = normalize_script(script)
    return EndpointSpec(
        api_name=api_name,
        inputs=ins,
        outputs=outs,
        fn=fn,
        result=result,
        has_result=has_result,
        duration=dur,
        progress=steps,
        yields=tuple(yields),
        logs=tuple(sorted(log_specs, key=lambda entry: entry.at)),
        error=err,
        concurrency_limit=concurrency_limit,
        concurrency_id=concurrency_id,
        show_api=bool(show_api),
        validator=validator,
        script=script_steps,
        fn_index=fn_index,
    )


def known_types() -> tuple[str, ...]:
    """Component type names accepted in ``inputs=``/``outputs=``."""
    return known_component_types()


@dataclass(frozen=True)
class Load:
    """Background load on a Space: jobs of other users that share its queue.

    - ``ahead``: jobs already in the queue at the start (the first ``concurrency_limit``
      of them running), so a new user's job waits behind them;
    - ``arrival_rate``: more jobs of other users arriving at random (Poisson, seeded by the
      fake's ``seed``), per virtual second, until virtual time ``until``;
    - ``endpoint``: the api name they call (default: the Space's first endpoint);
    - ``duration``: their service time (default: that endpoint's ``duration``);
    - ``warm``: the Space has run before, so ``rank_eta`` is known from the start (the
      endpoint's average run time is seeded with ``duration``); False for a cold Space,
      whose ETA stays null until its first run finishes, as in Gradio.
    """

    ahead: int = 0
    arrival_rate: float = 0.0
    until: float = 3600.0
    endpoint: str | None = None
    duration: float | None = None
    warm: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.ahead, bool) or not isinstance(self.ahead, int) or self.ahead < 0:
            raise ValueError(f"load ahead must be an int >= 0, not {self.ahead!r}")
        _number("load arrival_rate", self.arrival_rate)
        _number("load until", self.until)
        if self.duration is not None:
            _number("load duration", self.duration)
        if self.endpoint is not None and not isinstance(self.endpoint, str):
            raise TypeError(f"load endpoint must be an api name, not {self.endpoint!r}")

    @classmethod
    def coerce(cls, value: Load | Mapping[str, Any] | None) -> Load | None:
        """Accept a Load, a dict of its fields (as in scenario files) or None."""
        if value is None or isinstance(value, Load):
            return value
        if isinstance(value, Mapping):
            unknown = set(value) - {"ahead", "arrival_rate", "until", "endpoint", "duration",
                                    "warm"}
            if unknown:
                raise TypeError(f"unknown load keys {sorted(unknown)}; allowed: ahead, "
                                f"arrival_rate, until, endpoint, duration, warm")
            return cls(**value)
        raise TypeError(f"load= must be a gradio_fake.Load or a dict, not {value!r}")
