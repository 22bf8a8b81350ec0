"""The functions a scenario's ``handler`` and ``validator`` keys name.

A handler is one of the built-ins below or a ``"module:function"`` import path.
Built-ins are made for a given endpoint shape, so a mismatch (``upper`` with two
outputs) is reported when the scenario is loaded, not when a call runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["BUILTIN_HANDLERS", "BUILTIN_VALIDATORS", "handler", "validator"]

Fn = Callable[..., Any]


def _echo(n_inputs: int, n_outputs: int) -> Fn:
    if n_inputs != n_outputs:
        raise ValueError(f"'echo' returns its inputs unchanged, so it needs as many inputs as "
                         f"outputs (this endpoint has {n_inputs} and {n_outputs})")

    def echo(*values: Any) -> Any:
        return values[0] if len(values) == 1 else tuple(values)

    return echo


def _first_to_one(name: str, transform: Callable[[Any], Any]) -> Callable[[int, int], Fn]:
    def make(n_inputs: int, n_outputs: int) -> Fn:
        if n_inputs < 1 or n_outputs != 1:
            raise ValueError(f"{name!r} maps the first input to one output (this endpoint has "
                             f"{n_inputs} input(s) and {n_outputs} output(s))")

        def fn(*values: Any) -> Any:
            return transform(values[0])

        fn.__name__ = name
        return fn

    return make


def _count(n_inputs: int, n_outputs: int) -> Fn:
    if n_inputs < 1 or n_outputs != 1:
        raise ValueError(f"'count' streams one output counting up to the first input (this "
                         f"endpoint has {n_inputs} input(s) and {n_outputs} output(s))")

    def count(*values: Any) -> Iterator[str]:
        text = ""
        for i in range(1, int(values[0]) + 1):
            text = f"{text} {i}" if text else str(i)
            yield text

    return count


BUILTIN_HANDLERS: dict[str, Callable[[int, int], Fn]] = {
    "echo": _echo,
    "upper": _first_to_one("upper", lambda value: str(value).upper()),
    "reverse": _first_to_one("reverse", lambda value: value[::-1]),
    "count": _count,
}


def _non_empty(labels: list[str]) -> Fn:
    def non_empty(*values: Any) -> str | None:
        for label, value in zip(labels, values, strict=False):
            if isinstance(value, str) and not value.strip():
                return f"{label} must not be empty"
        return None

    return non_empty


BUILTIN_VALIDATORS: dict[str, Callable[[list[str]], Fn]] = {"non_empty": _non_empty}


def _import(path: str) -> Fn:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import module {module_name!r} ({exc})") from None
    fn = getattr(module, attr, None)
    if fn is None:
        raise ValueError(f"module {module_name!r} has no attribute {attr!r}")
    if not callable(fn):
        raise ValueError(f"{path!r} is not callable")
    return fn  # type: ignore[no-any-return]


def handler(name: str, n_inputs: int, n_outputs: int) -> Fn:
    """The function for ``handler = name``; ValueError saying why it does not fit."""
    if name in BUILTIN_HANDLERS:
        return BUILTIN_HANDLERS[name](n_inputs, n_outputs)
    return _import(name)


def validator(name: str, labels: list[str]) -> Fn:
    """The function for ``validator = name`` (``labels``: the input labels, for messages)."""
    if name in BUILTIN_VALIDATORS:
        return BUILTIN_VALIDATORS[name](labels)
    return _import(name)
