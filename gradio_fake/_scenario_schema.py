"""A small validator for the subset of JSON Schema that ``scenario.schema.json`` uses.

The shipped schema is the single description of the file format: editors use it
for completion, and this module checks files against it, so the two cannot drift.
It stops at the first problem and reports it as one :class:`Invalid` (a key path
and what was expected), instead of the list of every failed branch that general
validators produce. Keywords it does not implement are refused when the schema
is read, so a schema edit cannot be silently ignored.

``errorMessage`` on a schema node replaces the generated "expected ..." phrase,
as in ajv-errors.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

__all__ = ["Invalid", "KeyPath", "format_path", "schema", "toml_type", "validate"]

KeyPath = tuple[str | int, ...]
_Schema = Mapping[str, Any]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "examples", "$defs",
                "errorMessage", "$comment"}
_CHECKED = {"$ref", "type", "properties", "additionalProperties", "required", "propertyNames",
            "items", "prefixItems", "minItems", "maxItems", "enum", "const", "minimum",
            "maximum", "exclusiveMinimum", "pattern", "minLength", "anyOf", "oneOf"}


class Invalid(Exception):
    """One problem in a scenario: where (a key path) and what was wrong."""

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def format_path(path: KeyPath) -> str:
    """``("endpoints", 1, "duration")`` -> ``"endpoints[1].duration"``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def toml_type(value: Any) -> str:
    """The TOML name of a value's type, with its article: "a string", "an array"."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date/time"
    return type(value).__name__


@functools.cache
def schema() -> _Schema:
    """The shipped scenario schema (checked once for keywords this module implements)."""
    text = resources.files("gradio_fake").joinpath("scenario.schema.json").read_text("utf-8")
    loaded: _Schema = json.loads(text)
    _check_keywords(loaded, "#")
    return loaded


def _check_keywords(node: Any, where: str) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_keywords(item, f"{where}/{i}")
        return
    if not isinstance(node, Mapping):
        return
    unknown = set(node) - _ANNOTATIONS - _CHECKED
    if unknown:
        raise RuntimeError(f"scenario.schema.json {where}: keywords {sorted(unknown)} are not "
                           f"implemented by gradio_fake._scenario_schema")
    for key, sub in node.items():
        if key in ("properties", "$defs"):
            for name, prop in sub.items():
                _check_keywords(prop, f"{where}/{key}/{name}")
        elif key not in ("enum", "const", "default", "examples", "required"):
            _check_keywords(sub, f"{where}/{key}")


def validate(value: Any, node: _Schema | None = None, path: KeyPath = (),
             root: _Schema | None = None) -> None:
    """Check ``value`` against the scenario schema (or a node of it); raise the first Invalid.

    ``root`` replaces the shipped schema (the loader adds plugins' fault kinds to it).
    """
    root = schema() if root is None else root
    _Validator(root).check(value, root if node is None else node, path)


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _quote(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _admits(kind: str, value: Any) -> bool:
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return False


_TYPE_WORDS = {"number": "a number", "integer": "an integer", "boolean": "true or false",
               "string": "a string", "array": "an array", "object": "a table"}


class _Validator:
    def __init__(self, root: _Schema) -> None:
        self.root = root

    def resolve(self, node: _Schema) -> _Schema:
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/$defs/"):
                raise RuntimeError(f"unsupported $ref {ref!r}")
            target = self.root["$defs"][ref[len("#/$defs/"):]]
            # Sibling keywords of a $ref (a description, a default) refine the target.
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def expected(self, node: _Schema) -> str:
        """What a value matching ``node`` looks like, in words."""
        node = self.resolve(node)
        if "errorMessage" in node:
            return str(node["errorMessage"])
        if "const" in node:
            return repr(node["const"])
        if "enum" in node:
            return f"one of {_quote(node['enum'])}"
        if "anyOf" in node:
            return " or ".join(self.expected(branch) for branch in node["anyOf"])
        kinds = node.get("type")
        if kinds is None:
            return "a value"
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        words = " or ".join(_TYPE_WORDS[k] for k in kinds)
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and high is not None:
            words += f" from {low:g} to {high:g}"
        elif low is not None:
            words += f" >= {low:g}"
        elif high is not None:
            words += f" <= {high:g}"
        if "exclusiveMinimum" in node:
            words += f" > {node['exclusiveMinimum']:g}"
        return words

    def fail(self, node: _Schema, value: Any, path: KeyPath) -> Invalid:
        return Invalid(path, f"expected {self.expected(node)}, got {_show(value)} "
                             f"({toml_type(value)})")

    def check(self, value: Any, node: _Schema, path: KeyPath) -> None:
        node = self.resolve(node)
        kinds = node.get("type")
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if not any(_admits(k, value) for k in kinds):
                raise self.fail(node, value, path)
        if "const" in node and value != node["const"]:
            raise self.fail(node, value, path)
        if "enum" in node and not any(value == v and type(value) is type(v)
                                      for v in node["enum"]):
            hint = _suggest(value, [str(v) for v in node["enum"]]) if isinstance(value, str) \
                else ""
            raise Invalid(path, f"expected one of {_quote(node['enum'])}, got {value!r}{hint}")
        if "anyOf" in node:
            self.check_any_of(value, node, path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.check_number(value, node, path)
        if isinstance(value, str):
            self.check_string(value, node, path)
        if isinstance(value, list):
            self.check_array(value, node, path)
        if isinstance(value, dict):
            self.check_object(value, node, path)
        if "oneOf" in node:
            matches = 0
            for branch in node["oneOf"]:
                try:
                    self.check(value, branch, path)
                except Invalid:
                    continue
                matches += 1
            if matches != 1:
                raise Invalid(path, f"expected {self.expected(node)}")

    def check_number(self, value: float, node: _Schema, path: KeyPath) -> None:
        if math.isnan(value):
            raise Invalid(path, f"expected {self.expected(node)}, got nan")
        too_low = ("minimum" in node and value < node["minimum"]) or (
            "exclusiveMinimum" in node and value <= node["exclusiveMinimum"])
        too_high = "maximum" in node and value > node["maximum"]
        if too_low or too_high:
            raise Invalid(path, f"expected {self.expected(node)}, got {value!r}")

    def check_string(self, value: str, node: _Schema, path: KeyPath) -> None:
        if len(value) < node.get("minLength", 0):
            raise Invalid(path, f"expected {self.expected(node)}, got an empty string")
        pattern = node.get("pattern")
        if pattern is not None:
            # JSON Schema patterns are unanchored searches; ECMA's "$" is the very end.
            if pattern.endswith("$") and not pattern.endswith("\\$"):
                pattern = pattern[:-1] + r"\Z"
            if not re.search(pattern, value):
                raise Invalid(path, f"expected {self.expected(node)}, got {value!r}")

    def check_array(self, value: list[Any], node: _Schema, path: KeyPath) -> None:
        low, high = node.get("minItems"), node.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            if low == high:
                want = f"exactly {low}"
            elif high is None:
                want = f"at least {low}"
            else:
                want = f"at most {high}" if low is None else f"{low} to {high}"
            noun = "entry" if want.endswith(" 1") else "entries"
            raise Invalid(path, f"expected {want} {noun}, got {len(value)}")
        prefix = node.get("prefixItems", ())
        for i, item in enumerate(value):
            if i < len(prefix):
                self.check(item, prefix[i], (*path, i))
            elif "items" in node:
                self.check(item, node["items"], (*path, i))

    def check_object(self, value: dict[str, Any], node: _Schema, path: KeyPath) -> None:
        props: Mapping[str, Any] = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        names = node.get("propertyNames")
        for key, item in value.items():
            if names is not None:
                self.check(key, names, (*path, key))
            if key in props:
                self.check(item, props[key], (*path, key))
            elif extra is False:
                hint = _suggest(key, list(props))
                raise Invalid((*path, key), f"unknown key{hint} (allowed here: "
                                            f"{', '.join(props)})")
            elif isinstance(extra, Mapping):
                self.check(item, extra, (*path, key))
        for key in node.get("required", ()):
            if key not in value:
                raise Invalid((*path, key), "required key is missing")

    def check_any_of(self, value: Any, node: _Schema, path: KeyPath) -> None:
        branches = [self.resolve(b) for b in node["anyOf"]]
        candidates = [b for b in branches if self._type_fits(b, value)]
        if isinstance(value, dict) and len(candidates) > 1:
            candidates = self._discriminate(candidates, value, path)
        if not candidates:
            raise self.fail(node, value, path)
        errors = []
        for branch in candidates:
            try:
                self.check(value, branch, path)
                return
            except Invalid as exc:
                errors.append(exc)
        first = errors[0]
        if first.path == path and "errorMessage" in node:
            raise self.fail(node, value, path) from None
        raise first

    @staticmethod
    def _type_fits(branch: _Schema, value: Any) -> bool:
        kinds = branch.get("type")
        if kinds is None:
            samples = [branch["const"]] if "const" in branch else branch.get("enum")
            if samples is None:
                return True
            return any(type(s) is type(value) for s in samples)
        kinds = [kinds] if isinstance(kinds, str) else kinds
        return any(_admits(k, value) for k in kinds)

    def _discriminate(self, branches: list[_Schema], value: dict[str, Any],
                      path: KeyPath) -> list[_Schema]:
        """Pick the object branches whose ``const`` property (e.g. ``kind``) matches."""
        consts: dict[str, list[tuple[Any, _Schema]]] = {}
        for branch in branches:
            for key, prop in branch.get("properties", {}).items():
                if "const" in prop:
                    consts.setdefault(key, []).append((prop["const"], branch))
        for key, options in consts.items():
            if len(options) != len(branches):
                continue
            if key not in value:
                raise Invalid((*path, key), "required key is missing")
            chosen = [b for const, b in options if const == value[key]]
            if not chosen:
                allowed = [str(c) for c, _ in options]
                hint = _suggest(value[key], allowed) if isinstance(value[key], str) else ""
                raise Invalid((*path, key), f"expected one of {_quote(allowed)}, "
                                            f"got {value[key]!r}{hint}")
            return chosen
        return branches
