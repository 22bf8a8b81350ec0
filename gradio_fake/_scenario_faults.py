"""The ``[[faults]]`` of a scenario file: their schema, checked against the engine's
catalogue, and the declarations the loader builds from them.

The shipped ``scenario.schema.json`` spells out every built-in fault kind (so editors
complete them); :func:`fault_branch` writes the same branch for any
:class:`~gradio_fake._faults.FaultKind`, which is how a plugin's fault kinds are
accepted in scenario files (:func:`document_schema`) and how the tests prove the
shipped schema and the engine agree.

In a file, a fault is placed at a virtual time (``at``), right after a step of a job
(``after = ["progress", 3]``), and may be tied to one of the scenario's calls
(``job = "<call id>"``); a parameter documented with ``None`` (no limit) is written
``"none"``, as TOML has no null.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._faults import FAULT_KINDS, FaultKind, FaultParam, make_fault
from ._scenario_schema import Invalid, KeyPath, schema

__all__ = ["NONE", "PLACEMENT", "FaultDecl", "build_fault", "document_schema", "fault_branch",
           "schema_kinds"]

#: How a scenario file writes ``None`` for an optional (``times``-like) parameter.
NONE = "none"

#: The keys that place a fault rather than parametrise it.
PLACEMENT = ("kind", "at", "after", "job")

_TYPES: Mapping[type, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


@dataclass(frozen=True)
class FaultDecl:
    """One ``[[faults]]`` entry: ``FakeGradio.fault(kind, at=at, after=after, **params)``.

    ``job`` is the id of the call the fault is tied to: it is then planned on that
    call's job when the call is submitted (:meth:`Scenario.plan_faults_of`), not by
    :meth:`Scenario.apply`. ``params`` are as the file gives them, ``"none"`` made
    ``None``; the engine's defaults fill in the rest.
    """

    kind: str
    at: float | None
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    after: tuple[str, int] | None = None
    job: str | None = None


# -- the schema ------------------------------------------------------------------------------
def _param_schema(param: FaultParam) -> dict[str, Any]:
    """The schema of one fault parameter (no description: see :func:`fault_branch`)."""
    base: dict[str, Any]
    if param.choices:
        base = {"enum": list(param.choices)}
    else:
        base = {"type": _TYPES[param.type]}
        if param.minimum is not None:
            base["minimum"] = param.minimum
        if param.maximum is not None:
            base["maximum"] = param.maximum
    if param.optional and param.type is not str:
        base = {"anyOf": [base, {"const": NONE}]}
    base["default"] = NONE if param.default is None else param.default
    return base


def fault_branch(kind: FaultKind) -> dict[str, Any]:
    """The ``$defs.fault`` branch of the scenario schema for fault ``kind``.

    ``kind``, the placement keys (``at``, ``after``, ``job``) and one property per
    parameter, typed, bounded and defaulted as the engine declares it.
    """
    properties: dict[str, Any] = {
        "kind": {"const": kind.name, "description": kind.description},
        "at": {"$ref": "#/$defs/fault_at"},
        "after": {"$ref": "#/$defs/fault_after"},
        "job": {"$ref": "#/$defs/fault_job"},
    }
    for param in kind.params:
        properties[param.name] = {"description": param.description, **_param_schema(param)}
    return {"type": "object", "additionalProperties": False, "required": ["kind"],
            "properties": properties}


def schema_kinds(root: Mapping[str, Any] | None = None) -> list[str]:
    """The fault kinds the (shipped) schema spells out, in its order."""
    branches = (root or schema())["$defs"]["fault"]["anyOf"]
    return [b["properties"]["kind"]["const"] for b in branches]


def document_schema() -> Mapping[str, Any]:
    """The shipped schema, plus a branch for each plugin fault kind it does not spell out."""
    base = schema()
    shipped = set(schema_kinds(base))
    extra = [fault_branch(kind) for name, kind in FAULT_KINDS.items() if name not in shipped]
    if not extra:
        return base
    defs = dict(base["$defs"])
    defs["fault"] = {**defs["fault"], "anyOf": [*defs["fault"]["anyOf"], *extra]}
    return {**base, "$defs": defs}


# -- building --------------------------------------------------------------------------------
def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _where(path: KeyPath, message: str, keys: tuple[str, ...]) -> KeyPath:
    """The key an engine message is about (``"... status= must be ..."``), if it names one."""
    for match in re.finditer(r"\b(\w+)=", message):
        if match.group(1) in keys:
            return (*path, match.group(1))
    return path


def build_fault(raw: Mapping[str, Any], index: int, calls: Mapping[str, float]) -> FaultDecl:
    """The declaration of schema-valid ``faults[index]``; ``calls`` maps call ids to their ``at``.

    Checks what the schema cannot: ``at`` and ``after`` together, an ``after`` kind the
    engine does not count, a ``job`` naming no call (or placed before it is submitted),
    and the kind's own rules (``FaultKind.check``). Each problem names its key.
    """
    path: KeyPath = ("faults", index)
    name = raw["kind"]
    kind = FAULT_KINDS.get(name)
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in PLACEMENT:
            continue
        param = kind.param(key) if kind is not None and key in kind.param_names else None
        if value == NONE and param is not None and param.optional and param.type is not str:
            value = None
        params[key] = value
    at = raw.get("at")
    after = raw.get("after")
    if isinstance(after, list):
        after = tuple(after)
    if at is not None and after is not None:
        raise Invalid((*path, "after"), "give at (a virtual time) or after (a step of a job), "
                                        "not both")
    job = raw.get("job")
    if job is not None:
        if job not in calls:
            ids = list(calls)
            known = f" (calls: {', '.join(ids)})" if ids else " (this scenario has no calls)"
            raise Invalid((*path, "job"), f"no call with id {job!r}{_suggest(job, ids)}{known}")
        if at is not None and at < calls[job]:
            raise Invalid((*path, "at"), f"at={at:g} is before call {job!r} is submitted "
                                         f"(at={calls[job]:g}); a fault tied to a call is "
                                         f"planned when the call is submitted")
    try:
        made = make_fault(name, at=at, after=after, **params)
    except (TypeError, ValueError) as exc:
        keys = ("at", "after", *(kind.param_names if kind is not None else ()))
        raise Invalid(_where(path, str(exc), keys), str(exc)) from None
    return FaultDecl(kind=made.kind, at=made.at, params=MappingProxyType(params),
                     after=made.after, job=job)
