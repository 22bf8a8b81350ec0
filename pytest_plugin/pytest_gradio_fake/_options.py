"""What configures the plugin: the session's command line and ini, and each test's markers.

Session settings are read and checked once, at startup (a bad value is a usage
error before any test runs). Per test, the ``gradio_fake`` fixture merges the
session settings with the test's ``@pytest.mark.gradio_fake(...)`` keyword
arguments into one :class:`FakeOptions`, whose constructor is the only place
that knows the option names: an unknown or ill-typed option is a ``TypeError``
that names it, reported against the test that carries the marker.
"""

from __future__ import annotations

import datetime
import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["FakeOptions", "ScenarioMarker", "Settings"]

MARKER_FAKE = "gradio_fake"
MARKER_SCENARIO = "gradio_scenario"


def _unknown(given: Mapping[str, Any], known: Sequence[str]) -> str:
    """The keywords of ``given`` not in ``known``, each with its likely intended name."""
    names = []
    for name in sorted(set(given) - set(known)):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        names.append(f"{name} (did you mean {close[0]}?)" if close else name)
    return ", ".join(names)


@dataclass(frozen=True)
class Settings:
    """Session-wide settings from the command line and the ini file."""

    search_dirs: tuple[Path, ...]
    seed: int
    allow_network: bool
    svg_dir: Path | None
    strict: bool = False

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        """Read and check the options; raise ``pytest.UsageError`` naming a bad one."""
        here = config.invocation_params.dir
        dirs: list[Path] = []
        for value in config.getoption("gradio_fake_scenarios") or []:
            path = (here / value).resolve()
            if not path.is_dir():
                raise pytest.UsageError(
                    f"--gradio-fake-scenarios={value}: not a directory ({path})")
            dirs.append(path)
        for value in config.getini("gradio_fake_scenarios") or []:
            path = Path(value).resolve()
            if not path.is_dir():
                raise pytest.UsageError(
                    f"ini option gradio_fake_scenarios: {value} is not a directory")
            dirs.append(path)
        svg = config.getoption("gradio_fake_svg")
        svg_dir = (here / svg).resolve() if svg else None
        if svg_dir is not None and svg_dir.exists() and not svg_dir.is_dir():
            raise pytest.UsageError(f"--gradio-fake-svg={svg}: exists and is not a directory")
        return cls(
            search_dirs=tuple(dict.fromkeys(dirs)),
            seed=int(config.getoption("gradio_fake_seed")),
            allow_network=bool(config.getoption("gradio_fake_allow_network")),
            svg_dir=svg_dir,
            strict=bool(config.getoption("gradio_fake_strict")),
        )


class FakeOptions:
    """How the ``gradio_fake`` fixture builds its :class:`~gradio_fake.FakeGradio`.

    Defaults come from the command line (``--gradio-fake-seed``,
    ``--gradio-fake-allow-network``, ``--gradio-fake-strict``);
    ``@pytest.mark.gradio_fake(...)`` overrides them for a test, a class or a module
    (the closest marker wins per keyword).
    """

    __slots__ = ("allow_network", "seed", "start", "strict", "watchdog")

    def __init__(
        self,
        *,
        seed: int = 0,
        allow_network: bool = False,
        start: str | datetime.datetime = "2026-01-01T00:00:00Z",
        watchdog: float = 10.0,
        strict: bool = False,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {seed!r}")
        if not isinstance(allow_network, bool):
            raise TypeError(f"allow_network must be True or False, not {allow_network!r}")
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be True or False, not {strict!r}")
        if not isinstance(start, (str, datetime.datetime)):
            raise TypeError(f"start must be an ISO 8601 string or a datetime, not {start!r}")
        if isinstance(watchdog, bool) or not isinstance(watchdog, (int, float)):
            raise TypeError(f"watchdog must be a number of real seconds, not {watchdog!r}")
        self.seed = seed
        self.allow_network = allow_network
        self.start = start
        self.watchdog = float(watchdog)
        self.strict = strict

    @classmethod
    def for_item(cls, item: pytest.Item, settings: Settings,
                 scenario_seed: int | None = None) -> FakeOptions:
        """The session settings, overridden by the item's ``gradio_fake`` markers.

        ``scenario_seed``, the seed of the test's scenario, replaces ``--gradio-fake-seed``:
        a scenario file pins its seed so that its timeline is the one it describes.
        """
        merged: dict[str, Any] = {}
        for marker in item.iter_markers(MARKER_FAKE):  # closest first
            if marker.args:
                raise TypeError(f"@pytest.mark.{MARKER_FAKE}() takes keyword arguments only, "
                                f"got {marker.args!r}")
            merged = {**marker.kwargs, **merged}
        unknown = _unknown(merged, sorted(cls.__slots__))
        if unknown:
            raise TypeError(
                f"@pytest.mark.{MARKER_FAKE}() got unknown keyword argument(s) "
                f"{unknown}; it accepts {', '.join(sorted(cls.__slots__))}")
        seed = settings.seed if scenario_seed is None else scenario_seed
        defaults = {"seed": seed, "allow_network": settings.allow_network,
                    "strict": settings.strict}
        return cls(**{**defaults, **merged})


@dataclass(frozen=True)
class ScenarioMarker:
    """``@pytest.mark.gradio_scenario("name-or-path", **overrides)`` on a test."""

    name_or_path: str
    overrides: Mapping[str, Any]

    @classmethod
    def for_item(cls, item: pytest.Item) -> ScenarioMarker | None:
        """The closest ``gradio_scenario`` marker, with a relative path resolved.

        A relative path (anything with a ``/`` or a ``.toml`` suffix) is taken from
        the directory of the test file when a file is there, so a test finds its
        scenario the same whatever the current directory (pytester, xdist).
        """
        from gradio_fake._scenario import OVERRIDES

        marker = item.get_closest_marker(MARKER_SCENARIO)
        if marker is None:
            return None
        if len(marker.args) != 1 or not isinstance(marker.args[0], (str, os.PathLike)):
            raise TypeError(
                f"@pytest.mark.{MARKER_SCENARIO}() takes one scenario name or path, then "
                f"keyword overrides; got {marker.args!r}")
        name = os.fspath(marker.args[0])
        unknown = _unknown(marker.kwargs, OVERRIDES)
        if unknown:
            raise TypeError(
                f"@pytest.mark.{MARKER_SCENARIO}({name!r}) got unknown override(s) "
                f"{unknown}; it accepts {', '.join(OVERRIDES)}")
        looks_like_path = isinstance(marker.args[0], os.PathLike) or "/" in name \
            or os.sep in name or name.endswith(".toml")
        if looks_like_path and not os.path.isabs(name):
            beside = item.path.parent / name
            if beside.exists():
                name = str(beside)
        return cls(name, dict(marker.kwargs))
