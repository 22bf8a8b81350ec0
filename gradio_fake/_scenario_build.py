"""From a schema-valid scenario document to immutable declarations, with the checks a
schema cannot express (known versions and component types, handlers that import,
names that refer to each other, files that exist).

Every problem is an :class:`~gradio_fake._scenario_schema.Invalid` carrying the key
path; the caller adds the file name and line.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import _scenario_handlers as handlers
from ._components import NotInVersion, component_kind, known_component_types
from ._model import Error, Load, normalize_script
from ._scenario_faults import FaultDecl, build_fault
from ._scenario_schema import Invalid, KeyPath
from ._space import Space
from ._versions import DEFAULT_VERSION, gradio_version

__all__ = [
    "CallDecl",
    "EndpointDecl",
    "Expectation",
    "FaultDecl",
    "FileArg",
    "Parts",
    "SpaceDecl",
    "build",
    "build_script",
    "freeze",
    "thaw",
]


# -- immutable values ----------------------------------------------------------------
def freeze(value: Any) -> Any:
    """A TOML value made immutable: arrays become tuples, tables read-only mappings."""
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    return value


def thaw(value: Any) -> Any:
    """A fresh mutable copy of a frozen value (tuples become lists, mappings dicts)."""
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class FileArg:
    """A call argument to upload: ``handle_file(path)`` when the call is submitted."""

    path: Path


# -- declarations -------------------------------------------------------------------
@dataclass(frozen=True)
class SpaceDecl:
    """The ``[space]`` table: where the Space is reached and how its server behaves."""

    target: str
    gradio: str
    max_size: int | None = None
    max_file_size: int | None = None
    show_error: bool = False
    quirks: bool = True
    stage: str = "RUNNING"
    private: bool = False

    def options(self) -> dict[str, Any]:
        """Keyword arguments of ``FakeGradio.space`` (besides the target and load)."""
        return {"gradio": self.gradio, "max_size": self.max_size,
                "max_file_size": self.max_file_size, "show_error": self.show_error,
                "quirks": self.quirks, "stage": self.stage, "private": self.private}


@dataclass(frozen=True)
class EndpointDecl:
    """One ``[[endpoints]]`` entry, ready for ``Space.endpoint``."""

    api_name: str
    inputs: tuple[Any, ...]
    outputs: tuple[Any, ...]
    fn: Callable[..., Any] | None = None
    result: Any = None
    has_result: bool = False
    duration: float = 0.0
    progress: tuple[Any, ...] = ()
    yields: tuple[Any, ...] = ()
    logs: tuple[tuple[float, str, str], ...] = ()
    error: Mapping[str, Any] | None = None
    concurrency_limit: int | None = 1
    concurrency_id: str | None = None
    show_api: bool = True
    validator: Callable[..., Any] | None = None
    #: ``script=`` steps ``(at, kind, fields)`` for ``Space.endpoint``, or None.
    script: tuple[tuple[Any, ...], ...] | None = None

    @property
    def streams(self) -> bool:
        """A generator endpoint: its outputs arrive one by one."""
        return bool(self.yields) or inspect.isgeneratorfunction(self.fn)

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``Space.endpoint`` (fresh copies of every value)."""
        several = len(self.outputs) > 1
        args: dict[str, Any] = {
            "inputs": thaw(self.inputs), "outputs": thaw(self.outputs), "fn": self.fn,
            "duration": self.duration, "progress": [thaw_step(s) for s in self.progress],
            "yields": [_output(v, several) for v in self.yields], "logs": list(self.logs),
            "error": None if self.error is None else Error(**self.error),
            "concurrency_limit": self.concurrency_limit,
            "concurrency_id": self.concurrency_id, "show_api": self.show_api,
            "validator": self.validator,
        }
        if self.script is not None:
            args["script"] = thaw_script(self.script)
        if self.has_result:
            args["result"] = _output(self.result, several)
        return args


def thaw_script(steps: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Frozen script steps as ``script=`` takes them (fresh copies of every value)."""
    return [(at, kind, thaw(fields)) for at, kind, fields in steps]


def thaw_step(step: Any) -> Any:
    """A progress step as ``Space.endpoint`` takes it ([index, length] is a tuple there)."""
    return tuple(step) if isinstance(step, tuple) else thaw(step)


def _output(value: Any, several: bool) -> Any:
    return tuple(thaw(v) for v in value) if several else thaw(value)


@dataclass(frozen=True)
class CallDecl:
    """One ``[[calls]]`` entry: ``client.submit(*args, api_name=..., **kwargs)`` at ``at``."""

    id: str
    api_name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    at: float = 0.0
    cancel_at: float | None = None
    timeout: float | None = None
    #: this call's own ``script=`` steps (``Space.script_next_call``), or None.
    script: tuple[tuple[Any, ...], ...] | None = None


@dataclass(frozen=True)
class Expectation:
    """One ``[expect.<call id>]`` table: the documented outcome of that call."""

    outcome: str
    result: Any = None
    has_result: bool = False
    message: str | None = None
    title: str | None = None
    finished_at: float | None = None
    outputs: tuple[Any, ...] | None = None
    codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Parts:
    """Everything a scenario declares."""

    name: str
    description: str
    seed: int
    space: SpaceDecl
    endpoints: tuple[EndpointDecl, ...]
    load: Load | None
    faults: tuple[FaultDecl, ...]
    calls: tuple[CallDecl, ...]
    expect: Mapping[str, Expectation]


# -- building -------------------------------------------------------------------------
def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _route(api_name: str) -> str:
    return "/" + api_name.strip("/")


def build(data: Mapping[str, Any], *, stem: str, base_dir: Path) -> Parts:
    """Turn a schema-valid document into declarations; Invalid on the first problem."""
    space = _space(data["space"])
    probe = Space(space.target, gradio=space.gradio)  # declares each endpoint once, here
    endpoints = tuple(_endpoint(raw, i, space, probe)
                      for i, raw in enumerate(data["endpoints"]))
    routes = [ep.api_name for ep in endpoints]
    calls = _calls(data.get("calls", []), endpoints, base_dir)
    return Parts(
        name=data.get("name", stem),
        description=data["description"],
        seed=data.get("seed", 0),
        space=space,
        endpoints=endpoints,
        load=_load(data.get("load"), routes),
        faults=tuple(build_fault(raw, i, {c.id: c.at for c in calls})
                     for i, raw in enumerate(data.get("faults", []))),
        calls=calls,
        expect=_expectations(data.get("expect", {}), [c.id for c in calls]),
    )


def _space(raw: Mapping[str, Any]) -> SpaceDecl:
    try:
        version = gradio_version(raw.get("gradio", DEFAULT_VERSION)).version
    except ValueError as exc:
        raise Invalid(("space", "gradio"), str(exc).replace("gradio=", "", 1)) from None
    options = {k: raw[k] for k in ("max_size", "max_file_size", "show_error", "quirks",
                                   "stage", "private") if k in raw}
    return SpaceDecl(target=raw.get("id") or raw["url"], gradio=version, **options)


def _components(raw: Sequence[Any], path: KeyPath, gradio: str) -> tuple[Any, ...]:
    for i, item in enumerate(raw):
        name = item if isinstance(item, str) else item["type"]
        try:
            component_kind(name, gradio)
        except NotInVersion as exc:
            raise Invalid(_component_path(path, i, item), str(exc)) from None
        except ValueError:
            known = known_component_types()
            where = _component_path(path, i, item)
            hint = _suggest(name.lower(), known) or f" (known types: {', '.join(known)})"
            raise Invalid(where, f"unknown component type {name!r}{hint}") from None
    return tuple(freeze(item) for item in raw)


def _component_path(path: KeyPath, index: int, item: Any) -> KeyPath:
    return (*path, index) if isinstance(item, str) else (*path, index, "type")


def _labels(components: Sequence[Any]) -> list[str]:
    return [c.get("label", c["type"]) if isinstance(c, Mapping) else c for c in components]


def _endpoint(raw: Mapping[str, Any], index: int, space: SpaceDecl,
              probe: Space) -> EndpointDecl:
    path: KeyPath = ("endpoints", index)
    inputs = _components(raw["inputs"], (*path, "inputs"), space.gradio)
    outputs = _components(raw["outputs"], (*path, "outputs"), space.gradio)
    fn = None
    if "handler" in raw:
        for other in ("result", "yields"):
            if other in raw:
                raise Invalid((*path, other), f"give either handler or {other}, not both")
        try:
            fn = handlers.handler(raw["handler"], len(inputs), len(outputs))
        except ValueError as exc:
            raise Invalid((*path, "handler"), str(exc)) from None
    validator = None
    if "validator" in raw:
        if not gradio_version(space.gradio).validators:
            raise Invalid((*path, "validator"), f"validators need Gradio 5 or later; this "
                                                f"Space emulates {space.gradio}")
        try:
            validator = handlers.validator(raw["validator"], _labels(raw["inputs"]))
        except ValueError as exc:
            raise Invalid((*path, "validator"), str(exc)) from None
    if len(outputs) > 1:
        shaped: list[tuple[KeyPath, Any]] = [(("result",), raw["result"])] \
            if "result" in raw else []
        shaped += [(("yields", i), v) for i, v in enumerate(raw.get("yields", []))]
        for key, value in shaped:
            if not (isinstance(value, list) and len(value) == len(outputs)):
                raise Invalid((*path, *key), f"this endpoint has {len(outputs)} outputs, so this "
                                             f"must be an array of {len(outputs)} values, got "
                                             f"{value!r}")
    error = raw.get("error")
    limit = raw.get("concurrency_limit", 1)
    decl = EndpointDecl(
        api_name=_route(raw["api_name"]),
        inputs=inputs,
        outputs=outputs,
        fn=fn,
        result=freeze(raw.get("result")),
        has_result="result" in raw,
        duration=float(raw.get("duration", 0.0)),
        progress=tuple(freeze(step) for step in raw.get("progress", [])),
        yields=freeze(raw.get("yields", [])),
        logs=tuple(_log(entry) for entry in raw.get("logs", [])),
        error=None if error is None else MappingProxyType(
            {"message": error} if isinstance(error, str) else dict(error)),
        concurrency_limit=None if limit == "none" else limit,
        concurrency_id=raw.get("concurrency_id"),
        show_api=raw.get("show_api", True),
        validator=validator,
        script=None if "script" not in raw else build_script(
            raw["script"], (*path, "script"), len(outputs)),
    )
    _try_declare(decl, index, probe)
    return decl


def _log(entry: Any) -> tuple[float, str, str]:
    if isinstance(entry, Mapping):
        return (float(entry["at"]), entry["level"], entry["message"])
    return (float(entry[0]), entry[1], entry[2])


def build_script(raw: Sequence[Mapping[str, Any]], path: KeyPath,
                 outputs: int) -> tuple[tuple[Any, ...], ...]:
    """Schema-valid script tables as frozen ``(at, kind, fields)`` steps for ``script=``.

    Checks what the schema cannot: steps in time order, nothing after the completion,
    one value per output when there are several, value or error (not both); then the
    engine's own checks (``normalize_script``), so that declaring cannot fail later.
    """
    steps: list[tuple[Any, ...]] = []
    last = 0.0
    for i, entry in enumerate(raw):
        where: KeyPath = (*path, i)
        at, kind = float(entry["at"]), entry["kind"]
        if steps and steps[-1][1] == "process_completed":
            raise Invalid((*where, "kind"), f"a {kind} step after process_completed (step "
                                            f"{i - 1}), which ends the call")
        if at < last:
            raise Invalid((*where, "at"), f"at={at:g} is before the previous step's "
                                          f"(at={last:g}); steps must be in time order")
        last = at
        fields: Any = None
        if kind == "estimation":
            fields = {k: entry[k] for k in ("rank", "queue_size", "eta") if k in entry}
        elif kind == "process_starts":
            fields = {"eta": entry["eta"]} if "eta" in entry else None
        elif kind == "progress":
            fields = {k: entry[k] for k in ("progress", "index", "length", "unit", "desc")
                      if k in entry}
        elif kind == "log":
            fields = (entry["level"], entry["message"])
        elif "error" in entry:
            if "value" in entry:
                raise Invalid((*where, "error"), "give either value (the output) or error "
                                                 "(a failure), not both")
            fields = {"error": entry["error"], "title": entry.get("title", "Error")}
        else:
            if "title" in entry:
                raise Invalid((*where, "title"), "title goes with error")
            fields = entry.get("value")
            if outputs > 1 and "value" in entry and not (
                    isinstance(fields, list) and len(fields) == outputs):
                raise Invalid((*where, "value"), f"this endpoint has {outputs} outputs, so "
                                                 f"this must be an array of {outputs} values, "
                                                 f"got {fields!r}")
        steps.append((at, kind, freeze(fields)))
    try:
        normalize_script(thaw_script(steps))
    except (TypeError, ValueError) as exc:
        match = re.match(r"script\[(\d+)\]:? ?", str(exc))
        where = path if match is None else (*path, int(match.group(1)))
        raise Invalid(where, str(exc)[match.end():] if match else str(exc)) from None
    return tuple(steps)


_ENGINE_ARGS = {"fn": "handler"}


def _try_declare(decl: EndpointDecl, index: int, probe: Space) -> None:
    """Declare the endpoint on a throwaway Space, so that apply() cannot fail on it later."""
    try:
        probe.endpoint(decl.api_name, **decl.arguments())
    except (TypeError, ValueError) as exc:
        message = str(exc)
        match = re.match(r"(\w+)(?:\[(\d+)\])?", message)
        path: KeyPath = ("endpoints", index)
        if match:
            key = _ENGINE_ARGS.get(match.group(1), match.group(1))
            if key in ("api_name", "inputs", "outputs", "handler", "result", "duration",
                       "progress", "yields", "logs", "error", "concurrency_limit",
                       "concurrency_id", "validator", "script"):
                path = (*path, key) if match.group(2) is None else \
                    (*path, key, int(match.group(2)))
                if match.group(2) is not None:  # "logs[0] at=5 is ...": the path says logs[0]
                    message = message[match.end():].lstrip(" :")
        raise Invalid(path, message) from None


def _load(raw: Mapping[str, Any] | None, routes: list[str]) -> Load | None:
    if raw is None:
        return None
    values = dict(raw)
    if "endpoint" in values:
        route = _route(values["endpoint"])
        if route not in routes:
            raise Invalid(("load", "endpoint"), f"no endpoint {route!r} in this scenario"
                                                f"{_suggest(route, routes)}")
        values["endpoint"] = route
    try:
        return Load(**values)
    except (TypeError, ValueError) as exc:
        raise Invalid(("load",), str(exc)) from None


def _argument(value: Any, path: KeyPath, base_dir: Path) -> Any:
    if isinstance(value, Mapping) and set(value) == {"file"}:
        file = (base_dir / value["file"]).resolve()
        if not file.is_file():
            raise Invalid((*path, "file"), f"no such file {value['file']!r} "
                                           f"(looked for {file})")
        return FileArg(file)
    return freeze(value)


def _calls(raw: Sequence[Mapping[str, Any]], endpoints: Sequence[EndpointDecl],
           base_dir: Path) -> tuple[CallDecl, ...]:
    routes = [ep.api_name for ep in endpoints]
    calls: list[CallDecl] = []
    for i, entry in enumerate(raw):
        path: KeyPath = ("calls", i)
        if any(c.id == entry["id"] for c in calls):
            raise Invalid((*path, "id"), f"call id {entry['id']!r} is already used")
        route = _route(entry["api_name"])
        if route not in routes:
            raise Invalid((*path, "api_name"), f"no endpoint {route!r} in this scenario"
                                               f"{_suggest(route, routes)} (endpoints: "
                                               f"{', '.join(routes)})")
        at = float(entry.get("at", 0.0))
        cancel_at = entry.get("cancel_at")
        if cancel_at is not None and cancel_at < at:
            raise Invalid((*path, "cancel_at"), f"cancel_at={cancel_at:g} is before the call "
                                                f"is submitted (at={at:g})")
        timeout = entry.get("timeout")
        if timeout is not None and math.isinf(timeout):
            timeout = None
        args = tuple(_argument(v, (*path, "args", j), base_dir)
                     for j, v in enumerate(entry.get("args", [])))
        kwargs = {k: _argument(v, (*path, "kwargs", k), base_dir)
                  for k, v in entry.get("kwargs", {}).items()}
        script = None
        if "script" in entry:
            outputs = len(next(ep for ep in endpoints if ep.api_name == route).outputs)
            script = build_script(entry["script"], (*path, "script"), outputs)
        calls.append(CallDecl(
            id=entry["id"], api_name=route, args=args, kwargs=MappingProxyType(kwargs),
            at=at, cancel_at=None if cancel_at is None else float(cancel_at),
            timeout=None if timeout is None else float(timeout), script=script))
    return tuple(calls)


def _expectations(raw: Mapping[str, Mapping[str, Any]],
                  ids: list[str]) -> Mapping[str, Expectation]:
    out: dict[str, Expectation] = {}
    for call_id, entry in raw.items():
        if call_id not in ids:
            known = f" (calls: {', '.join(ids)})" if ids else " (this scenario has no calls)"
            raise Invalid(("expect", call_id), f"no call with id {call_id!r}"
                                               f"{_suggest(call_id, ids)}{known}")
        if entry["outcome"] != "result" and "result" in entry:
            raise Invalid(("expect", call_id, "result"),
                          f"a call whose outcome is {entry['outcome']!r} has no result")
        codes = entry.get("codes")
        out[call_id] = Expectation(
            outcome=entry["outcome"],
            result=freeze(entry.get("result")),
            has_result="result" in entry,
            message=entry.get("message"),
            title=entry.get("title"),
            finished_at=None if "finished_at" not in entry else float(entry["finished_at"]),
            outputs=None if "outputs" not in entry else freeze(entry["outputs"]),
            codes=None if codes is None else tuple(codes),
        )
    return MappingProxyType(out)
