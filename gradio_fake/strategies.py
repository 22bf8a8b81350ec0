"""Hypothesis strategies for gradio-fake: Spaces, endpoints, timelines, load, faults, calls.

Install with ``pip install gradio-fake[hypothesis]``. Every strategy here draws
*descriptions* (plain dicts, tuples and small frozen dataclasses), never live
objects, so a falsifying example prints as something you can paste into a test:

- :func:`endpoints` — keyword arguments for :meth:`gradio_fake.Space.endpoint`;
- :func:`timelines` — a scripted call for ``Space.endpoint(..., script=...)``;
- :func:`loads` — a :class:`gradio_fake.Load` (background load);
- :func:`spaces` — a :class:`SpacePlan` (version, queue limit, load, endpoints),
  which :meth:`SpacePlan.apply` declares on a :class:`~gradio_fake.FakeGradio`;
- :func:`fault_plans` — ``[(kind, at, params), ...]`` for :meth:`FakeGradio.fault`;
- :func:`submissions` — a :class:`Submission`: which endpoint, with what
  arguments, when, and when to cancel it or stop waiting for it.

Everything shrinks toward the small and the default: durations toward ``0``,
lists toward empty, texts toward ``""``, versions toward the first one allowed,
optional parts toward absent, so a minimal example reads like a hand-written one.

:class:`GradioQueueMachine` is a :class:`~hypothesis.stateful.RuleBasedStateMachine`
to subclass for testing your own wrapper around ``gradio_client`` against a queue
that changes under it (other users, the clock, faults).

Use a fresh ``FakeGradio`` per example, inside the test::

    @given(plan=spaces(gradio=["4.44.1"]))
    def test_my_code(plan):
        with FakeGradio() as fake:          # not a function-scoped fixture: see docs/hypothesis.md
            space = plan.apply(fake)
            ...
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition, rule

from ._faults import FAULT_KINDS, ROUTES, FaultParam, make_fault, step_kinds
from ._hypothesis import register as _register_for_from_type
from ._model import Load
from ._versions import DEFAULT_VERSION, SUPPORTED_VERSIONS

if TYPE_CHECKING:
    from ._fake import FakeGradio
    from ._journal import RequestRecord
    from ._space import Space

__all__ = [
    "COMPONENTS",
    "DEFAULT_COMPONENTS",
    "GradioQueueMachine",
    "SpacePlan",
    "Submission",
    "client_value",
    "compatible_versions",
    "endpoints",
    "fault_plans",
    "loads",
    "spaces",
    "submissions",
    "timelines",
]

# ---------------------------------------------------------------------------- values

_WORD = st.text("abcdefghijklmnopqrstuvwxyz ", max_size=10)
_MESSAGE = st.text("abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=12)
# Any text a user could type: shrinks to "", then to "0"-like single characters.
_TEXT = st.text(st.characters(codec="utf-8"), max_size=8)
_NUMBER = st.one_of(st.integers(-1000, 1000),
                    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
_KEYS = st.text("abcxyz", min_size=1, max_size=3)  # never "path" or "meta": not FileData
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-100, 100), _TEXT),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(_KEYS, children, max_size=3)),
    max_leaves=6,
)
_CHOICES = ("Option 1", "Option 2", "Option 3")  # what the fake's dropdown/radio declare

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "textbox": _TEXT,
    "markdown": _TEXT,
    "code": _TEXT,
    "html": _TEXT,
    "number": _NUMBER,
    "slider": st.integers(0, 100),
    "checkbox": st.booleans(),
    "json": _JSON,
    "dropdown": st.sampled_from(_CHOICES),
    "radio": st.sampled_from(_CHOICES),
    "checkboxgroup": st.lists(st.sampled_from(_CHOICES), unique=True, max_size=3),
    "colorpicker": st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}"),
}

#: Component types whose values these strategies can draw (as inputs and outputs).
COMPONENTS: tuple[str, ...] = tuple(_VALUES)
#: The components :func:`endpoints` uses unless told otherwise.
DEFAULT_COMPONENTS: tuple[str, ...] = ("textbox", "number", "checkbox", "json")


def _type_name(component: Any) -> str:
    name = component.get("type") if isinstance(component, Mapping) else component
    if not isinstance(name, str):
        raise InvalidArgument(f"a component is a type name or a dict with 'type', "
                              f"not {component!r}")
    return name.strip().lower()


def _type_names(components: Any) -> list[str]:
    if isinstance(components, (str, Mapping)):
        components = [components]
    return [_type_name(c) for c in components]


def _value_strategy(component: Any, role: str) -> st.SearchStrategy[Any]:
    name = _type_name(component)
    try:
        return _VALUES[name]
    except KeyError:
        raise InvalidArgument(
            f"cannot draw {role} values for component {name!r}; supported: "
            f"{', '.join(COMPONENTS)} (files need real paths: write that endpoint by hand)"
        ) from None


def _output_value(outputs: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One output of an endpoint: a value, or a tuple of values for several outputs."""
    parts = [_value_strategy(o, "output") for o in outputs]
    if len(parts) == 1:
        return parts[0]
    return st.tuples(*parts)


def client_value(value: Any, outputs: Sequence[Any] = ("textbox",)) -> Any:
    """What ``gradio_client`` returns for an output ``value`` the fake sent.

    Values travel as JSON (tuples inside become lists); several outputs come back
    as a tuple. Handy to compare ``job.result()`` or ``job.outputs()`` with what an
    endpoint drawn by :func:`endpoints` or :func:`timelines` produces.
    """
    n = len(_type_names(outputs))
    if n == 1:
        return json.loads(json.dumps(value))
    return tuple(json.loads(json.dumps(list(value))))


# ---------------------------------------------------------------------------- helpers

def _check_int(name: str, value: Any, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{name}={value!r} must be an int >= {minimum}")


def _check_number(name: str, value: Any, *, positive: bool = False) -> None:
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value) or value < 0 or (positive and value == 0)):
        rule_text = "> 0" if positive else ">= 0"
        raise InvalidArgument(f"{name}={value!r} must be a finite number {rule_text}")


def _check_choices(name: str, given: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(given, str) or not isinstance(given, Sequence) or not given:
        raise InvalidArgument(f"{name}= must be a non-empty list, not {given!r}")
    unknown = [g for g in given if g not in allowed]
    if unknown:
        raise InvalidArgument(f"{name}: unknown {unknown!r}; allowed: {', '.join(allowed)}")
    return tuple(dict.fromkeys(given))


def _durations(max_value: float, *, min_value: float = 0.0,
               allow_infinite: bool = False) -> st.SearchStrategy[float]:
    """Virtual seconds: whole seconds or tenths, shrinking to ``min_value`` (0.0) first."""
    options = [st.integers(math.ceil(min_value), math.floor(max_value)).map(float),
               st.integers(math.ceil(min_value * 10), math.floor(max_value * 10)).map(
                   lambda n: n / 10)]
    if allow_infinite:
        options.append(st.just(math.inf))
    return st.one_of(options)


_FRACTION = st.integers(0, 100).map(lambda n: n / 100)


@st.composite
def _index_length(draw: st.DrawFn) -> tuple[int, int]:
    length = draw(st.integers(1, 10))
    return draw(st.integers(0, length)), length


_PROGRESS_STEP: st.SearchStrategy[Any] = st.one_of(
    _FRACTION,
    _index_length(),
    st.fixed_dictionaries({"progress": _FRACTION},
                          optional={"desc": _WORD,
                                    "unit": st.sampled_from(("steps", "it", "files"))}),
)

_LEVELS = ("info", "warning", "success", "error")


def _offset_within(duration: float) -> st.SearchStrategy[float]:
    """A time within a call of ``duration`` seconds, in tenths (at most the duration)."""
    if not math.isfinite(duration):
        return st.integers(0, 600).map(float)
    return st.integers(0, math.floor(duration * 10)).map(lambda n: min(n / 10, duration))


# ---------------------------------------------------------------------------- endpoints

@st.composite
def _endpoints(
    draw: st.DrawFn,
    *,
    api_name: str | None,
    components: tuple[str, ...],
    max_inputs: int,
    max_outputs: int,
    min_duration: float,
    max_duration: float,
    allow_infinite: bool,
    max_progress: int,
    max_yields: int,
    max_logs: int,
    allow_error: bool,
    max_concurrency: int,
    allow_unlimited: bool,
    scripted: bool,
) -> dict[str, Any]:
    inputs = draw(st.lists(st.sampled_from(components), max_size=max_inputs))
    outputs = draw(st.lists(st.sampled_from(components), min_size=1, max_size=max_outputs))
    kwargs: dict[str, Any] = {"api_name": api_name, "inputs": inputs, "outputs": outputs}
    if scripted:
        kwargs["script"] = draw(timelines(outputs=outputs, allow_error=allow_error))
    else:
        value = _output_value(outputs)
        duration = draw(_durations(max_duration, min_value=min_duration,
                                   allow_infinite=allow_infinite))
        yields = draw(st.lists(value, max_size=max_yields))
        if yields:
            kwargs["yields"] = yields
        else:
            kwargs["result"] = draw(value)
        kwargs["duration"] = duration
        progress = draw(st.lists(_PROGRESS_STEP, max_size=max_progress))
        if progress:
            kwargs["progress"] = progress
        logs = draw(st.lists(st.tuples(_offset_within(duration), st.sampled_from(_LEVELS),
                                       _MESSAGE), max_size=max_logs))
        if logs:
            kwargs["logs"] = logs
        if allow_error:
            error = draw(st.none() | _MESSAGE)
            if error is not None:
                kwargs["error"] = error
    limits: list[int | None] = list(range(1, max_concurrency + 1))
    if allow_unlimited:
        limits.append(None)
    limit = draw(st.sampled_from(limits))  # shrinks to 1, Gradio's default
    if limit != 1:
        kwargs["concurrency_limit"] = limit
    return kwargs


def endpoints(
    *,
    api_name: str | None = "/predict",
    components: Sequence[str] = DEFAULT_COMPONENTS,
    max_inputs: int = 2,
    max_outputs: int = 2,
    min_duration: float = 0.0,
    max_duration: float = 120.0,
    allow_infinite: bool = False,
    max_progress: int = 3,
    max_yields: int = 3,
    max_logs: int = 2,
    allow_error: bool = True,
    max_concurrency: int = 3,
    allow_unlimited: bool = True,
    scripted: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for :meth:`gradio_fake.Space.endpoint`: ``space.endpoint(**kwargs)``.

    Each draw is a dict with ``api_name``, ``inputs`` and ``outputs`` (0 to
    ``max_inputs`` and 1 to ``max_outputs`` component type names from ``components``)
    and either a fixed ``result`` or 1 to ``max_yields`` intermediate ``yields`` (a
    generator endpoint, whose last yield is the final output), a ``duration``
    (whole or tenth seconds from ``min_duration``, by default ``0``, to
    ``max_duration``; ``math.inf`` too when ``allow_infinite``), and optionally
    ``progress`` steps (fractions, ``(index, length)`` pairs or dicts), ``logs``
    within the duration, an ``error`` message (the call then fails as ``gr.Error``
    would) and a ``concurrency_limit`` other than the default 1 (up to ``max_concurrency``, or
    ``None`` for unlimited when ``allow_unlimited``). Keys left at their default
    are omitted, so a minimal example is short::

        {'api_name': '/predict', 'inputs': [], 'outputs': ['textbox'],
         'result': '', 'duration': 0.0}

    With ``scripted=True`` the endpoint has a ``script`` drawn by
    :func:`timelines` instead of a duration, result, progress and logs.

    ``components`` must be among :data:`COMPONENTS` (types whose values can be
    drawn); endpoints with files are better written by hand.
    """
    if api_name is not None and (not isinstance(api_name, str) or not api_name.strip("/")):
        raise InvalidArgument(f"api_name={api_name!r} must be a name such as '/predict' "
                              f"or None")
    comps = _check_choices("components", [_type_name(c) for c in components], COMPONENTS)
    _check_int("max_inputs", max_inputs)
    _check_int("max_outputs", max_outputs, 1)
    _check_number("min_duration", min_duration)
    _check_number("max_duration", max_duration)
    if min_duration > max_duration:
        raise InvalidArgument(f"min_duration={min_duration!r} is above "
                              f"max_duration={max_duration!r}")
    _check_int("max_progress", max_progress)
    _check_int("max_yields", max_yields)
    _check_int("max_logs", max_logs)
    _check_int("max_concurrency", max_concurrency, 1)
    return _endpoints(
        api_name=api_name, components=comps, max_inputs=max_inputs, max_outputs=max_outputs,
        min_duration=float(min_duration), max_duration=float(max_duration),
        allow_infinite=bool(allow_infinite),
        max_progress=max_progress, max_yields=max_yields, max_logs=max_logs,
        allow_error=bool(allow_error), max_concurrency=max_concurrency,
        allow_unlimited=bool(allow_unlimited), scripted=bool(scripted))


_any_endpoint = endpoints  # for spaces(), whose ``endpoints`` parameter shadows the name


# ---------------------------------------------------------------------------- timelines

@st.composite
def _timelines(
    draw: st.DrawFn,
    *,
    outputs: tuple[str, ...],
    max_estimations: int,
    max_steps: int,
    max_gap: int,
    allow_error: bool,
    allow_unfinished: bool,
) -> list[tuple[Any, ...]]:
    gap = st.integers(0, max_gap).map(float)
    value = _output_value(outputs)
    script: list[tuple[Any, ...]] = []
    t = 0.0
    n_estimations = draw(st.integers(0, max_estimations))
    if n_estimations:
        rank = draw(st.integers(0, 9))
        for i in range(n_estimations):
            if i:
                t += draw(gap)
                rank = draw(st.integers(0, rank))  # a queue only moves forward
            queue_size = rank + draw(st.integers(1, 5))
            eta = draw(st.none() | st.integers(0, 3600).map(float))
            script.append((t, "estimation", {"rank": rank, "queue_size": queue_size,
                                             "eta": eta}))
        t += draw(gap)
    start_eta = draw(st.none() | st.integers(0, 3600).map(float))
    script.append((t, "process_starts") if start_eta is None
                  else (t, "process_starts", {"eta": start_eta}))
    step_kinds = st.sampled_from(("progress", "log", "process_generating"))
    for kind in draw(st.lists(step_kinds, max_size=max_steps)):
        t += draw(gap)
        if kind == "progress":
            script.append((t, kind, draw(_PROGRESS_STEP)))
        elif kind == "log":
            script.append((t, kind, (draw(st.sampled_from(_LEVELS)), draw(_MESSAGE))))
        else:
            script.append((t, kind, draw(value)))
    if allow_unfinished and draw(st.booleans()):
        return script  # the call never ends
    t += draw(gap)
    if allow_error and draw(st.booleans()):
        script.append((t, "process_completed", {"error": draw(_MESSAGE)}))
    else:
        script.append((t, "process_completed", draw(value)))
    return script


def timelines(
    *,
    outputs: Sequence[Any] = ("textbox",),
    max_estimations: int = 2,
    max_steps: int = 4,
    max_gap: int = 60,
    allow_error: bool = True,
    allow_unfinished: bool = False,
) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """Scripted per-call timelines, valid for ``Space.endpoint(..., script=...)``.

    A timeline is ``[(at, kind, fields), ...]``, ``at`` in whole virtual seconds
    after the join, in the order a real call goes through: up to
    ``max_estimations`` ``estimation`` messages (the rank never grows, the queue
    size is larger than the rank), one ``process_starts``, up to ``max_steps``
    ``progress``/``log``/``process_generating`` steps, then ``process_completed``
    with a value for ``outputs`` (a tuple for several) or, when ``allow_error``,
    ``{"error": message}``. Gaps between steps are 0 to ``max_gap`` seconds. With
    ``allow_unfinished`` a timeline may stop before ``process_completed`` (a call
    that never ends). The minimal timeline is::

        [(0.0, 'process_starts'), (0.0, 'process_completed', '')]
    """
    outs = tuple(_type_names(outputs))
    if not outs:
        raise InvalidArgument("outputs= needs at least one component")
    for o in outs:
        _value_strategy(o, "output")
    _check_int("max_estimations", max_estimations)
    _check_int("max_steps", max_steps)
    _check_int("max_gap", max_gap)
    return _timelines(outputs=outs, max_estimations=max_estimations, max_steps=max_steps,
                      max_gap=max_gap, allow_error=bool(allow_error),
                      allow_unfinished=bool(allow_unfinished))


# ---------------------------------------------------------------------------- load

@st.composite
def _loads(
    draw: st.DrawFn,
    *,
    max_ahead: int,
    max_arrival_rate: float,
    max_until: float,
    endpoint_names: tuple[str, ...],
    max_duration: float,
) -> Load:
    ahead = draw(st.integers(0, max_ahead))
    rate = 0.0
    if max_arrival_rate > 0:
        rate = draw(st.one_of(st.just(0.0), st.integers(1, 100).map(
            lambda n: round(n * max_arrival_rate / 100, 6))))
    until = draw(st.integers(0, int(max_until)).map(float)) if rate else Load.until
    endpoint = draw(st.none() | st.sampled_from(endpoint_names)) if endpoint_names else None
    duration = draw(st.none() | _durations(max_duration))
    warm = draw(st.sampled_from((True, False)))
    return Load(ahead=ahead, arrival_rate=rate, until=until, endpoint=endpoint,
                duration=duration, warm=warm)


def loads(
    *,
    max_ahead: int = 5,
    max_arrival_rate: float = 0.1,
    max_until: float = 600.0,
    endpoints: Sequence[str] = (),
    max_duration: float = 120.0,
) -> st.SearchStrategy[Load]:
    """Background load: :class:`gradio_fake.Load` values.

    ``ahead`` is 0 to ``max_ahead`` jobs already queued; ``arrival_rate`` is 0 or
    up to ``max_arrival_rate`` jobs per virtual second (arriving until a time up to
    ``max_until``); ``duration`` is ``None`` (the endpoint's own) or up to
    ``max_duration``; ``endpoint`` is ``None`` (the Space's first endpoint) or one
    of ``endpoints`` (api names); ``warm`` shrinks to ``True``. The minimal load is
    ``Load()`` — nobody else is there.
    """
    _check_int("max_ahead", max_ahead)
    _check_number("max_arrival_rate", max_arrival_rate)
    _check_number("max_until", max_until)
    _check_number("max_duration", max_duration)
    if isinstance(endpoints, str):
        raise InvalidArgument(f"endpoints= must be a list of api names, not {endpoints!r}")
    return _loads(max_ahead=max_ahead, max_arrival_rate=float(max_arrival_rate),
                  max_until=float(max_until), endpoint_names=tuple(endpoints),
                  max_duration=float(max_duration))


# ---------------------------------------------------------------------------- Spaces

def _repr_without_defaults(obj: Any) -> str:
    """``Name(field=value, ...)`` with the fields left at their default omitted."""
    parts = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.default is MISSING or value != f.default:
            parts.append(f"{f.name}={value!r}")
    return f"{type(obj).__name__}({', '.join(parts)})"


@dataclass(frozen=True, repr=False)
class SpacePlan:
    """A fake Space to declare: what :func:`spaces` draws.

    ``endpoints`` holds keyword arguments for :meth:`gradio_fake.Space.endpoint`
    (as :func:`endpoints` draws them). :meth:`apply` declares it all on a
    :class:`~gradio_fake.FakeGradio`. The repr leaves out fields at their
    default, so a falsifying example stays short.
    """

    endpoints: tuple[Mapping[str, Any], ...]
    gradio: str = "4.44.1"
    max_size: int | None = None
    load: Load | None = None
    quirks: bool = True
    space_id: str = "acme/app"

    def apply(self, fake: FakeGradio) -> Space:
        """Declare this Space and its endpoints on ``fake``; return the :class:`Space`."""
        space = fake.space(self.space_id, gradio=self.gradio, max_size=self.max_size,
                           load=self.load, quirks=self.quirks)
        for kwargs in self.endpoints:
            space.endpoint(**kwargs)
        return space

    def endpoint(self, api_name: str) -> Mapping[str, Any]:
        """The keyword arguments of the endpoint called ``api_name`` (``"/predict"``)."""
        wanted = api_name.strip("/")
        for kwargs in self.endpoints:
            if str(kwargs.get("api_name") or "").strip("/") == wanted:
                return kwargs
        raise KeyError(f"{api_name!r} is not an endpoint of {self!r}")

    def __repr__(self) -> str:
        return _repr_without_defaults(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis's printer: keep the short form


def _client_major_minor() -> tuple[int, int] | None:
    try:
        from importlib.metadata import PackageNotFoundError, version
        text = version("gradio_client")
    except (ImportError, PackageNotFoundError):  # pragma: no cover - a dependency
        return None
    try:
        major, minor = (int(part) for part in text.split(".")[:2])
    except ValueError:  # pragma: no cover - an unusual version string
        return None
    return major, minor


def compatible_versions() -> tuple[str, ...]:
    """The emulated Gradio versions the installed ``gradio_client`` can talk to.

    Clients before 1.14 ignore ``api_prefix``, so (as with real servers) they
    cannot reach Gradio 5 or later. The default version comes first when allowed.
    """
    installed = _client_major_minor()
    allowed = [v for v in SUPPORTED_VERSIONS
               if installed is None or installed >= (1, 14) or int(v.split(".")[0]) < 5]
    allowed.sort(key=lambda v: v != DEFAULT_VERSION)
    return tuple(allowed)


def _unique_names(kwargs_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rename clashing api names the way Gradio does (``predict``, ``predict_1``, ...)."""
    seen: set[str] = set()
    out = []
    for kwargs in kwargs_list:
        name = kwargs.get("api_name")
        if name is not None:
            base = str(name).strip("/")
            candidate, n = base, 0
            while candidate in seen:
                n += 1
                candidate = f"{base}_{n}"
            seen.add(candidate)
            if candidate != base:
                kwargs = {**kwargs, "api_name": f"/{candidate}"}
        out.append(kwargs)
    return out


@st.composite
def _spaces(
    draw: st.DrawFn,
    *,
    versions: tuple[str, ...],
    endpoint_strategy: st.SearchStrategy[Mapping[str, Any]],
    min_endpoints: int,
    max_endpoints: int,
    max_sizes: st.SearchStrategy[int | None],
    load: bool | st.SearchStrategy[Load | None],
    quirks: bool | None,
    space_id: str,
) -> SpacePlan:
    version = draw(st.sampled_from(versions))
    drawn = draw(st.lists(endpoint_strategy, min_size=min_endpoints, max_size=max_endpoints))
    eps = tuple(_unique_names([dict(d) for d in drawn]))
    max_size = draw(max_sizes)
    chosen_load: Load | None
    if load is True:
        # Other users call endpoints that end (or the load would be a wall, not a load).
        finite = [str(e["api_name"]) for e in eps if e.get("api_name")
                  and math.isfinite(e.get("duration", 0.0))]
        chosen_load = draw(st.none() | loads(endpoints=finite)) if finite else None
        if (chosen_load is not None and chosen_load.endpoint is None
                and not math.isfinite(eps[0].get("duration", 0.0))):
            chosen_load = replace(chosen_load, endpoint=finite[0])
    elif load is False:
        chosen_load = None
    else:
        chosen_load = draw(load)
    chosen_quirks = draw(st.sampled_from((True, False))) if quirks is None else quirks
    return SpacePlan(endpoints=eps, gradio=version, max_size=max_size, load=chosen_load,
                     quirks=chosen_quirks, space_id=space_id)


def spaces(
    *,
    gradio: str | Sequence[str] | None = None,
    endpoints: st.SearchStrategy[Mapping[str, Any]] | None = None,
    min_endpoints: int = 1,
    max_endpoints: int = 2,
    max_sizes: st.SearchStrategy[int | None] | None = None,
    load: bool | st.SearchStrategy[Load | None] = True,
    quirks: bool | None = True,
    space_id: str = "acme/app",
) -> st.SearchStrategy[SpacePlan]:
    """Fake Spaces to declare: :class:`SpacePlan` values.

    - ``gradio``: the emulated version, or a list to draw from (shrinking toward its
      first). Default: every version the installed ``gradio_client`` can talk to
      (:func:`compatible_versions`; clients before 1.14 only reach Gradio 4).
    - ``endpoints``: a strategy for each endpoint's keyword arguments (default
      :func:`endpoints`); ``min_endpoints`` to ``max_endpoints`` of them, clashing
      api names renamed as Gradio does (``/predict``, ``/predict_1``).
    - ``max_sizes``: the queue limit (default ``None`` or 0 to 5).
    - ``load``: ``True`` for ``None`` or :func:`loads` over the drawn endpoints,
      ``False`` for none, or a strategy of your own.
    - ``quirks``: the emulated version's known bugs on (default), off, or ``None``
      to draw both.
    """
    if gradio is None:
        versions = compatible_versions()
    elif isinstance(gradio, str):
        versions = (gradio,)
    else:
        versions = tuple(gradio)
    if not versions:
        raise InvalidArgument("gradio= must name at least one version")
    from ._versions import gradio_version
    for v in versions:
        try:
            gradio_version(v)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(str(exc)) from None
    _check_int("min_endpoints", min_endpoints, 1)
    _check_int("max_endpoints", max_endpoints, min_endpoints)
    if not isinstance(load, (bool, st.SearchStrategy)):
        raise InvalidArgument(f"load= must be True, False or a strategy, not {load!r}")
    return _spaces(
        versions=versions,
        endpoint_strategy=endpoints if endpoints is not None else _any_endpoint(),
        min_endpoints=min_endpoints, max_endpoints=max_endpoints,
        max_sizes=max_sizes if max_sizes is not None else st.none() | st.integers(0, 5),
        load=load, quirks=quirks, space_id=space_id)


# ---------------------------------------------------------------------------- faults

_STATUSES = (500, 503, 502, 504, 429, 404, 400)  # the common ones first


def _param_values(param: FaultParam, routes: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Values of one fault parameter, from its declaration; shrinks to its default."""
    options: st.SearchStrategy[Any]
    choices = param.choices
    if param.name == "route" and choices:
        choices = tuple(c for c in choices if c in routes) or choices
    if choices:
        ordered = sorted(choices, key=lambda c: c != param.default)
        options = st.sampled_from(ordered)
    elif param.type is bool:
        options = st.booleans()
    elif param.type in (int, float):
        low = param.minimum if param.minimum is not None else 0
        high = param.maximum if param.maximum is not None else low + (4 if param.type is int
                                                                      else 60)
        if param.type is int:
            common = [c for c in _STATUSES if low <= c <= high]
            options = (st.sampled_from(common) if param.name == "status" and common
                       else st.integers(math.ceil(low), math.floor(high)))
        else:
            options = st.integers(math.ceil(low * 10), math.floor(high * 10)).map(
                lambda n: n / 10)
    else:
        options = _WORD
    if param.optional:
        options = options | st.none()
    if param.name == "route" and param.default not in routes:
        return options  # the default route was not asked for
    return st.just(param.default) | options


def _valid_fault(plan: tuple[str, float | None, dict[str, Any]]) -> bool:
    kind, at, params = plan
    try:
        make_fault(kind, at=at, **params)
    except (TypeError, ValueError):
        return False  # e.g. a text the kind's own check refuses
    return True


def _fault(kinds: tuple[str, ...], routes: tuple[str, ...], max_at: float,
           steps: tuple[str, ...] = (), max_step: int = 3,
           ) -> st.SearchStrategy[tuple[str, float | None, dict[str, Any]]]:
    @st.composite
    def one(draw: st.DrawFn) -> tuple[str, float | None, dict[str, Any]]:
        kind = draw(st.sampled_from(kinds))
        params: dict[str, Any] = {}
        at: float | None = None
        after_a_step: bool = draw(st.booleans()) if steps else False
        if after_a_step:  # shrinks to False: a placement in time
            params["after"] = draw(st.tuples(st.sampled_from(steps),
                                             st.integers(1, max_step)))
        else:
            at = draw(st.none() | st.integers(0, int(max_at)).map(float))
        for param in FAULT_KINDS[kind].params:
            value = draw(_param_values(param, routes))
            if value != param.default or param.name == "route":
                params[param.name] = value  # defaults left out, except where it hits
        return kind, at, params

    return one().filter(_valid_fault)


def fault_plans(
    *,
    kinds: Sequence[str] | None = None,
    routes: Sequence[str] = ROUTES,
    min_faults: int = 0,
    max_faults: int = 2,
    max_at: float = 60.0,
    steps: bool | Sequence[str] = False,
) -> st.SearchStrategy[list[tuple[str, float | None, dict[str, Any]]]]:
    """Fault plans: lists of ``(kind, at, params)``, each valid for :meth:`FakeGradio.fault`.

    Apply one with ``for kind, at, params in plan: fake.fault(kind, at=at, **params)``.

    - ``kinds``: the fault kinds to draw from (default: every kind the fake knows,
      plugins' included, in catalogue order);
    - ``at``: ``None`` (from when it is planned) or a whole virtual second up to
      ``max_at``;
    - ``steps``: also place faults at a step of a job: ``params["after"]`` is then a
      ``(message kind, n)`` pair, n from 1 to 3, and ``at`` is ``None``. ``True`` draws
      the kinds from every step kind (Gradio's and plugins'), or give a list of them;
      a plan shrinks toward a placement in time;
    - ``params``: drawn from each kind's declared parameters (choices, bounds,
      ``None`` where optional), each shrinking to its default, and left out when
      at the default (a ``route`` is always shown); a ``route`` is one of ``routes``.

    ``min_faults`` to ``max_faults`` faults; shrinks toward no fault, then toward one
    fault of the first kind at ``None``: ``[('stream_dropped', None, {})]``.
    """
    known = tuple(FAULT_KINDS)
    ks = known if kinds is None else _check_choices("kinds", list(kinds), known)
    rs = _check_choices("routes", list(routes), ROUTES)
    _check_int("min_faults", min_faults)
    _check_int("max_faults", max_faults, min_faults)
    _check_number("max_at", max_at)
    known_steps = step_kinds()
    if isinstance(steps, bool):
        ss = known_steps if steps else ()
    else:
        ss = _check_choices("steps", list(steps), known_steps)
    return st.lists(_fault(ks, rs, float(max_at), ss), min_size=min_faults,
                    max_size=max_faults)


# ---------------------------------------------------------------------------- calls

@dataclass(frozen=True, repr=False)
class Submission:
    """One call a user makes: ``client.submit(*args, api_name=endpoint)`` at virtual ``at``.

    ``cancel_after``: seconds after submitting to call ``job.cancel()`` (``None``:
    never). ``timeout``: the ``timeout=`` to give ``job.result`` (``None``: wait
    until done). The driver of a test decides what to do with them; the repr
    leaves out fields at their default.
    """

    endpoint: str
    args: tuple[Any, ...] = ()
    at: float = 0.0
    cancel_after: float | None = None
    timeout: float | None = None

    def submit(self, client: Any) -> Any:
        """``client.submit(*args, api_name=endpoint)``: the real ``gradio_client.Job``."""
        return client.submit(*self.args, api_name=self.endpoint)

    def __repr__(self) -> str:
        return _repr_without_defaults(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis's printer: keep the short form


def _callable_endpoints(space: SpacePlan | Sequence[Mapping[str, Any]] | Mapping[str, Any],
                        ) -> list[tuple[str, list[st.SearchStrategy[Any]]]]:
    if isinstance(space, SpacePlan):
        eps: Sequence[Mapping[str, Any]] = space.endpoints
    elif isinstance(space, Mapping):
        eps = [space]
    else:
        eps = list(space)
    found = []
    for kwargs in eps:
        name = kwargs.get("api_name")
        if not name or kwargs.get("show_api") is False:
            continue
        inputs = [c for c in _type_names(kwargs.get("inputs", ())) if c not in ("state",
                                                                                "button")]
        found.append((f"/{str(name).strip('/')}",
                      [_value_strategy(c, "input") for c in inputs]))
    if not found:
        raise InvalidArgument(f"no endpoint with an api_name to call in {space!r}")
    return found


@st.composite
def _submissions(
    draw: st.DrawFn,
    *,
    targets: list[tuple[str, list[st.SearchStrategy[Any]]]],
    max_at: float,
    cancel: bool,
    timeout: bool,
    max_wait: float,
) -> Submission:
    index = draw(st.integers(0, len(targets) - 1))
    name, arg_strategies = targets[index]
    args = tuple(draw(s) for s in arg_strategies)
    at = draw(_durations(max_at)) if max_at > 0 else 0.0
    cancel_after = draw(st.none() | _durations(max_wait)) if cancel else None
    wait = draw(st.none() | _durations(max_wait)) if timeout else None
    return Submission(endpoint=name, args=args, at=at, cancel_after=cancel_after,
                      timeout=wait)


def submissions(
    space: SpacePlan | Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    max_at: float = 60.0,
    cancel: bool = True,
    timeout: bool = True,
    max_wait: float = 120.0,
) -> st.SearchStrategy[Submission]:
    """Calls to make against ``space`` (a :class:`SpacePlan`, or endpoint keyword dicts).

    Each :class:`Submission` names an endpoint (shrinking toward the first), draws
    arguments for its inputs (``state`` inputs are skipped, as the client does),
    a submit time ``at`` up to ``max_at`` (``0`` for "now"), and, when allowed,
    ``cancel_after`` and ``timeout`` up to ``max_wait`` seconds (each shrinking to
    ``None``). Draw several with ``st.lists(submissions(plan), max_size=4)``; to
    draw them with the Space, ``spaces().flatmap(lambda plan: st.tuples(st.just(plan),
    st.lists(submissions(plan))))``.
    """
    targets = _callable_endpoints(space)
    _check_number("max_at", max_at)
    _check_number("max_wait", max_wait)
    return _submissions(targets=targets, max_at=float(max_at), cancel=bool(cancel),
                        timeout=bool(timeout), max_wait=float(max_wait))


# ---------------------------------------------------------------------------- the machine

_DEFAULT_PLAN = SpacePlan(endpoints=({"api_name": "/predict", "inputs": ["textbox"],
                                      "outputs": ["textbox"], "result": "done",
                                      "duration": 10.0},))


def _runner_submission(machine: GradioQueueMachine) -> st.SearchStrategy[Submission]:
    return submissions(machine.space_plan, max_at=0, cancel=False, timeout=False)


def _runner_seconds(machine: GradioQueueMachine) -> st.SearchStrategy[float]:
    return _durations(machine.max_advance)


def _runner_fault(machine: GradioQueueMachine,
                  ) -> st.SearchStrategy[tuple[str, float | None, dict[str, Any]]]:
    return _fault(tuple(machine.fault_kinds), tuple(machine.fault_routes), machine.max_advance)


class GradioQueueMachine(RuleBasedStateMachine):
    """A fake Gradio queue that evolves under your code, for Hypothesis stateful tests.

    Each run gets its own :class:`~gradio_fake.FakeGradio` (made and entered in
    ``__init__``, left in :meth:`teardown`) with the Space of :attr:`space_plan`
    declared, and :attr:`client`, a real ``gradio_client.Client`` for your code to
    use. Between the steps of your own rules, the base rules make the world move:

    - ``other_user_submits``: another user (another session) submits a call, which
      competes for the queue with yours (at most :attr:`max_other_jobs`, 0 to turn
      this off);
    - ``other_user_cancels``: that user cancels one of their calls (with the emulated
      version's quirks, that can also cancel their running call, which then never
      ends, as on real Gradio; ``SpacePlan(quirks=False)`` to avoid it);
    - ``advance``: virtual time moves by up to :attr:`max_advance` seconds;
    - ``inject_fault``: a fault of :attr:`fault_kinds` (none unless you list some)
      is planned, now or up to :attr:`max_advance` seconds later.

    Subclass it, set the class attributes, add rules (``@rule``) that drive your
    wrapper through :attr:`client` and invariants (``@invariant``) that check it; read what
    the server saw in :attr:`fake` (``fake.requests``, ``fake.messages``) or with
    :meth:`accepted_joins`. To switch a base rule off, override its method with a
    plain method (no ``@rule``). Run it as ``TestMyMachine = MyMachine.TestCase``,
    with settings on ``MyMachine.TestCase.settings`` (``deadline=None`` is
    already the default for state machines).
    """

    #: The Space each run starts with.
    space_plan: ClassVar[SpacePlan] = _DEFAULT_PLAN
    #: The fake's seed (event ids, background load).
    seed: ClassVar[int] = 0
    #: Fault kinds ``inject_fault`` may plan; empty (the default) switches it off.
    fault_kinds: ClassVar[Sequence[str]] = ()
    #: Routes an ``http_error`` fault may hit.
    fault_routes: ClassVar[Sequence[str]] = ROUTES
    #: The longest single ``advance`` (and the latest fault offset), in virtual seconds.
    max_advance: ClassVar[float] = 60.0
    #: How many calls other users make in one run at most (0: nobody else).
    max_other_jobs: ClassVar[int] = 4
    #: Keyword arguments for every ``gradio_client.Client`` the machine makes.
    client_kwargs: ClassVar[Mapping[str, Any]] = {}

    other_jobs: Bundle[Any] = Bundle("other_jobs")

    def __init__(self) -> None:
        super().__init__()
        from ._fake import FakeGradio

        self.fake: FakeGradio = FakeGradio(seed=self.seed)
        self.fake.__enter__()
        try:
            self.space: Space = self.space_plan.apply(self.fake)
            #: The client your code uses (its own session).
            self.client: Any = self.fake.client(self.space, **self.client_kwargs)
        except BaseException:
            self.fake.__exit__(*sys.exc_info())
            raise
        self._other_client: Any = None
        self.other_submitted: list[Any] = []

    def teardown(self) -> None:
        """Leave the run's fake: close its clients, join their threads, restore time."""
        self.fake.__exit__(None, None, None)

    # -- what the server saw --------------------------------------------------------
    def joins(self, client: Any = None) -> list[RequestRecord]:
        """Every ``queue/join`` request the server got (from ``client``'s session only,
        when given), accepted or not, in order."""
        session = getattr(client, "session_hash", None) if client is not None else None
        return [r for r in self.fake.requests
                if r.path.endswith("/queue/join") and r.method == "POST"
                and (session is None or r.session == session)]

    def accepted_joins(self, client: Any = None) -> int:
        """How many jobs the server accepted into its queue (HTTP 200 on ``queue/join``),
        from ``client``'s session only when given (e.g. ``self.client``)."""
        return sum(1 for r in self.joins(client) if r.status == 200)

    # -- the world moves ----------------------------------------------------------------
    @property
    def other_client(self) -> Any:
        """The client of "another user" (made on first use; its own session)."""
        if self._other_client is None:
            self._other_client = self.fake.client(self.space, **self.client_kwargs)
        return self._other_client

    @precondition(lambda self: len(self.other_submitted) < self.max_other_jobs)
    @rule(target=other_jobs, submission=st.runner().flatmap(_runner_submission))
    def other_user_submits(self, submission: Submission) -> Any:
        """Another user submits a call (it waits in the same queue as yours)."""
        job = submission.submit(self.other_client)
        self.other_submitted.append(job)
        return job

    @rule(job=other_jobs)
    def other_user_cancels(self, job: Any) -> None:
        """Another user cancels one of their calls."""
        job.cancel()

    @rule(seconds=st.runner().flatmap(_runner_seconds))
    def advance(self, seconds: float) -> None:
        """Virtual time moves forward (everything due on the way happens)."""
        self.fake.clock.advance(seconds)

    @precondition(lambda self: bool(self.fault_kinds))
    @rule(fault=st.runner().flatmap(_runner_fault))
    def inject_fault(self, fault: tuple[str, float | None, dict[str, Any]]) -> None:
        """Plan a fault now (``at=None``) or ``at`` seconds from now."""
        kind, at, params = fault
        when = None if at is None else self.fake.clock.now + at
        self.fake.fault(kind, at=when, **params)


#: Set last: Hypothesis's entry-point hook can run while this module is half imported.
_LOADED = True
_register_for_from_type()
