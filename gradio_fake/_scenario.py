"""Scenario files: one fake Space, its load and faults, and the calls a user makes.

A scenario is a TOML file described by ``scenario.schema.json`` (shipped with the
package; see docs/scenarios.md). :func:`load_scenario` reads and checks one and
returns an immutable :class:`Scenario`, which can declare its Space on a
:class:`~gradio_fake.FakeGradio` (:meth:`Scenario.apply`), submit its calls with the
real client (:meth:`Scenario.submit`), or drive them to their ends and report what
the client observed (:meth:`Scenario.run`).

A bad file raises one :class:`~gradio_fake.ScenarioError` naming the file, the line
when it is known, the key path and what was expected::

    busy.toml:12: endpoints[1].duration: expected a number >= 0, got -3
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ScenarioError
from ._scenario_build import CallDecl, FileArg, Parts, build, thaw, thaw_script
from ._scenario_faults import document_schema
from ._scenario_lines import line_of, scan_lines
from ._scenario_schema import Invalid, format_path, validate
from ._space import Space

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

if TYPE_CHECKING:
    from ._fake import FakeGradio
    from ._faults import Fault
    from ._scenario_report import RunReport

__all__ = [
    "OVERRIDES",
    "Scenario",
    "bundled_dir",
    "find_scenario",
    "load_scenario",
    "scenario_names",
]

#: Keyword overrides ``load_scenario`` accepts: the ``[space]`` settings and ``seed``.
OVERRIDES = ("gradio", "max_size", "max_file_size", "show_error", "quirks", "stage",
             "private", "seed")

_PathLike = str | Path


def bundled_dir() -> Path | None:
    """Where the bundled scenarios are: in the installed package, else in the source tree."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "scenarios", package.parent / "scenarios"):
        # The source-tree fallback (editable installs) must really be this project's tree.
        if candidate.is_dir() and (candidate.parent == package
                                   or (package.parent / "pyproject.toml").is_file()):
            return candidate
    return None


def _names_in(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.toml") if p.is_file())


def scenario_names() -> list[str]:
    """The names of the bundled scenarios, sorted (what ``FakeGradio.load`` accepts bare)."""
    folder = bundled_dir()
    return _names_in(folder) if folder is not None else []


def find_scenario(name_or_path: _PathLike, search_dirs: Iterable[_PathLike] = ()) -> Path:
    """The file of a scenario given by path, or by bare name.

    A bare name (no ``.toml``, no directory) is looked up as ``NAME.toml`` in each of
    ``search_dirs`` in order, then among the bundled scenarios. An unknown name raises
    :class:`~gradio_fake.ScenarioError` suggesting the closest known names.
    """
    given = Path(name_or_path)
    dirs = [Path(d) for d in search_dirs]
    bundled = bundled_dir()
    if bundled is not None:
        dirs.append(bundled)
    if given.suffix == ".toml" or len(given.parts) > 1:
        if given.is_file():
            return given
        if len(given.parts) > 1:
            raise ScenarioError(f"{given}: no such scenario file")
    filename = given.name if given.suffix == ".toml" else f"{given.name}.toml"
    for folder in dirs:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    known = sorted({name for folder in dirs if folder.is_dir() for name in _names_in(folder)})
    close = difflib.get_close_matches(given.stem, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    where = ", ".join(str(d) for d in dirs) or "no directory"
    raise ScenarioError(f"unknown scenario {str(name_or_path)!r}{hint} (looked in: {where}; "
                        f"`gradio-fake list` shows the bundled ones)")


def load_scenario(name_or_path: _PathLike, search_dirs: Iterable[_PathLike] = (),
                  **overrides: Any) -> Scenario:
    """Read, check and return a scenario (see :func:`find_scenario` for ``name_or_path``).

    ``overrides`` replace settings of the file: the ``[space]`` keys ``gradio``,
    ``max_size``, ``max_file_size``, ``show_error``, ``quirks``, ``stage``, ``private``
    (``None`` removes the setting) and the top-level ``seed``; they are checked like
    the file. Any other keyword is a ``TypeError``.
    """
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise TypeError(f"load_scenario() got unknown override(s) {', '.join(unknown)}; "
                        f"allowed: {', '.join(OVERRIDES)}")
    path = find_scenario(name_or_path, search_dirs)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, exc) from None
    overridden = _apply_overrides(data, overrides)
    try:
        validate(data, root=document_schema())
        parts = build(data, stem=path.stem, base_dir=path.parent)
    except Invalid as problem:
        raise _located(path, text, problem, overridden) from None
    return Scenario(path=path, **{f.name: getattr(parts, f.name) for f in fields(parts)})


def _syntax_error(path: Path, text: str, exc: Exception) -> ScenarioError:
    message = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        message = message[:match.start()]
        return ScenarioError(f"{path}:{match.group(1)}:{match.group(2)}: invalid TOML: "
                             f"{message}")
    match = re.search(r"\s*\(at end of document\)$", message)
    if match:
        last = max(len(text.splitlines()), 1)
        return ScenarioError(f"{path}:{last}: invalid TOML: {message[:match.start()]} at the "
                             f"end of the file")
    return ScenarioError(f"{path}: invalid TOML: {message}")


def _apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[tuple[str, ...],
                                                                                str]:
    """Write the overrides into the document; return their key paths, for messages."""
    overridden: dict[tuple[str, ...], str] = {}
    for key, value in overrides.items():
        target = data if key == "seed" else data.get("space")
        if not isinstance(target, dict):
            continue
        path = (key,) if key == "seed" else ("space", key)
        overridden[path] = f"{key}={value!r}"
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return overridden


def _located(path: Path, text: str, problem: Invalid,
             overridden: Mapping[tuple[str, ...], str]) -> ScenarioError:
    key = format_path(problem.path)
    for prefix, given in overridden.items():
        if problem.path[:len(prefix)] == prefix:
            return ScenarioError(f"{path}: {key} (override {given}): {problem.message}")
    line = line_of(scan_lines(text), problem.path)
    where = f"{path}:{line}" if line is not None else f"{path}"
    return ScenarioError(f"{where}: {key}: {problem.message}")


def _argument(value: Any) -> Any:
    if isinstance(value, FileArg):
        import gradio_client

        wrap = getattr(gradio_client, "handle_file", None) or gradio_client.file
        return wrap(str(value.path))
    return thaw(value)


@dataclass(frozen=True)
class Scenario(Parts):
    """A checked, immutable scenario: one Space, its load and faults, calls and expectations.

    Made by :func:`load_scenario`: what the file declares (``name``, ``description``,
    ``seed``, ``space``, ``endpoints``, ``load``, ``faults``, ``calls``, ``expect``) and
    ``path``, the file it came from. ``seed`` is the seed the CLI and the pytest plugin
    give the :class:`~gradio_fake.FakeGradio` they create for it (a fake you make
    yourself keeps its own).
    """

    path: Path

    @property
    def gradio(self) -> str:
        """The emulated Gradio version."""
        return self.space.gradio

    def apply(self, fake: FakeGradio) -> Space:
        """Declare this scenario's Space, endpoints, background load and faults on ``fake``.

        A fault tied to a call (``job = "<call id>"``) is left for
        :meth:`plan_faults_of`, once that call is submitted.
        """
        space = fake.space(self.space.target, load=self.load, **self.space.options())
        for endpoint in self.endpoints:
            space.endpoint(endpoint.api_name, **endpoint.arguments())
        for fault in self.faults:
            if fault.job is None:
                fake.fault(fault.kind, at=fault.at, after=fault.after, space=space.name,
                           **dict(fault.params))
        return space

    def plan_faults_of(self, fake: FakeGradio, call_id: str, job: Any) -> list[Fault]:
        """Plan the faults tied to call ``call_id`` on ``job``, the ``Job`` just submitted for it.

        :meth:`submit` and :meth:`run` do it for you. A fault tied to a call whose join
        the server refused (or that never reached it), or whose submit failed (``job``
        None), has no job to act on: it is not planned, and the journal says so.
        """
        planned = []
        for fault in self.faults:
            if fault.job != call_id:
                continue
            if job is None:
                fake.journal.fault(fault.kind, self.space.target, None,
                                   f"not planned: tied to call {call_id!r}, whose submit "
                                   f"failed")
                continue
            try:
                planned.append(fake.fault(fault.kind, at=fault.at, after=fault.after, job=job,
                                          **dict(fault.params)))
            except ValueError as exc:
                fake.journal.fault(fault.kind, self.space.target, None,
                                   f"not planned: tied to call {call_id!r}: {exc}")
        return planned

    def submit(self, fake: FakeGradio, client: Any = None) -> list[Any]:
        """Submit the calls, each at its virtual time; the ``Job`` of each, in file order.

        Call :meth:`apply` first. The clock is moved forward (``fake.clock.run_until``)
        to each call's ``at``; a time already past submits at once. The faults tied to a
        call are planned right after its submit (:meth:`plan_faults_of`). ``cancel_at`` and
        ``timeout`` are left to the caller (:meth:`run` honours them). ``client`` defaults
        to a new ``fake.client()`` for the Space.
        """
        if client is None:
            client = fake.client(self.space.target)
        space = self.space_on(fake)
        jobs: dict[str, Any] = {}
        for call in sorted(self.calls, key=lambda c: c.at):
            if call.at > fake.clock.now:
                fake.clock.run_until(call.at)
            jobs[call.id] = self.submit_call(client, call, space)
            self.plan_faults_of(fake, call.id, jobs[call.id])
        return [jobs[call.id] for call in self.calls]

    def space_on(self, fake: FakeGradio) -> Space:
        """The Space :meth:`apply` declared on ``fake`` (the last one with this target)."""
        probe = Space(self.space.target, gradio=self.space.gradio)
        for space in reversed(fake._world.spaces):
            if space.root == probe.root and space.space_id == probe.space_id:
                return space
        raise ValueError(f"{self.space.target} is not declared on this fake: call "
                         f"scenario.apply(fake) first")

    @staticmethod
    def submit_call(client: Any, call: CallDecl, space: Space | None = None) -> Any:
        """``client.submit`` for one call, uploading ``{file = ...}`` arguments.

        A call with its own ``script`` needs the ``space`` it goes to: its timeline is
        queued there (``Space.script_next_call``) right before the submit, and taken
        back if the submit never reached the queue.
        """
        args = [_argument(v) for v in call.args]
        kwargs = {k: _argument(v) for k, v in call.kwargs.items()}
        if call.script is None:
            return client.submit(*args, api_name=call.api_name, **kwargs)
        if space is None:
            raise TypeError(f"call {call.id!r} has its own script: submit_call() needs the "
                            f"space (scenario.space_on(fake))")
        steps = space.script_next_call(call.api_name, thaw_script(call.script))
        try:
            return client.submit(*args, api_name=call.api_name, **kwargs)
        finally:
            space.discard_call_script(call.api_name, steps)

    def run(self, fake: FakeGradio) -> RunReport:
        """Apply the scenario, submit its calls with a real client and drive each to its end.

        Virtual time moves from instant to instant of the fake's schedule (and of the
        calls' ``at``, ``cancel_at`` and timeout); at each, every live job's
        ``status()`` is read and recorded when it changed. A call ends with its result
        or error, or with ``TimeoutError`` when its ``timeout`` passes first, or with
        ``NeverEndingWait`` when nothing left could ever end it. Files the client
        downloads go to a temporary directory removed before this returns.
        """
        from ._scenario_run import drive

        return drive(self, fake)

    def __repr__(self) -> str:
        return (f"<Scenario {self.name} ({self.space.target}, Gradio {self.space.gradio}, "
                f"{len(self.endpoints)} endpoint(s), {len(self.calls)} call(s))>")
