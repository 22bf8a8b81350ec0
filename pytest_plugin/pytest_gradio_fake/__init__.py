"""pytest integration for gradio-fake (registered through the ``pytest11`` entry point).

Fixtures:

- ``gradio_fake``: an active :class:`~gradio_fake.FakeGradio` for the test, left
  cleanly when it ends. With ``@pytest.mark.gradio_scenario(...)``, the
  scenario's Space is already declared.
- ``sim_clock``: its virtual clock (``.now``, ``.advance(s)``, ``.run_until(t)``).
- ``gradio_job``: a real ``gradio_client.Job``, the first call of the test's
  scenario, submitted to the fake.

Markers: ``@pytest.mark.gradio_scenario("name-or-path", **overrides)`` and
``@pytest.mark.gradio_fake(seed=..., allow_network=..., start=..., watchdog=...)``.
Options: ``--gradio-fake-scenarios=DIR`` (and ini ``gradio_fake_scenarios``),
``--gradio-fake-allow-network``, ``--gradio-fake-seed=N``, ``--gradio-fake-svg=DIR``.
A failing test that used the fake gets a "gradio-fake timeline" report section.
See docs/pytest-plugin.md.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, NoReturn

import pytest

from gradio_fake import FakeGradio, GradioFakeError, ScenarioError, VirtualClock

from ._options import MARKER_FAKE, MARKER_SCENARIO, FakeOptions, ScenarioMarker, Settings
from ._report import SECTION, timeline_section, write_svg
from ._timeguard import refuse_foreign_time

if TYPE_CHECKING:
    from gradio_client.client import Job

    from gradio_fake._scenario import Scenario

__all__ = ["gradio_fake", "gradio_job", "sim_clock"]

_SETTINGS = pytest.StashKey[Settings]()
_FAKE = pytest.StashKey[FakeGradio]()
_SCENARIO = pytest.StashKey["Scenario"]()
_REPORTED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--gradio-fake-*`` options and the ``gradio_fake_scenarios`` ini setting."""
    group = parser.getgroup("gradio-fake", "gradio-fake (fake Gradio server on a virtual clock)")
    group.addoption("--gradio-fake-scenarios", action="append", default=[], metavar="DIR",
                    help="directory searched for bare scenario names (repeatable)")
    group.addoption("--gradio-fake-allow-network", action="store_true", default=False,
                    help="let requests no fake serves reach the network (default: they fail)")
    group.addoption("--gradio-fake-seed", type=int, default=0, metavar="N",
                    help="seed of the gradio_fake fixture when the test names no scenario "
                         "(a scenario brings its own; default: 0)")
    group.addoption("--gradio-fake-strict", action="store_true", default=False,
                    help="fail a test whose fake saw a scripted call never made, or a "
                         "request no fake served (FakeGradio(strict=True))")
    group.addoption("--gradio-fake-svg", default=None, metavar="DIR",
                    help="write an SVG picture of the timeline of each failing test to DIR")
    parser.addini("gradio_fake_scenarios", type="paths", default=[],
                  help="directories searched for bare scenario names")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers; read and check the options (a bad one stops the run)."""
    config.addinivalue_line(
        "markers", f"{MARKER_SCENARIO}(name_or_path, **overrides): load this scenario into the "
        "gradio_fake fixture; gradio_job submits its first call")
    config.addinivalue_line(
        "markers", f"{MARKER_FAKE}(*, seed=0, allow_network=False, "
        "start='2026-01-01T00:00:00Z', watchdog=10.0, strict=False): options of the "
        "gradio_fake fixture")
    config.stash[_SETTINGS] = Settings.from_config(config)


def pytest_report_header(config: pytest.Config) -> str:
    """One header line with what makes a run reproducible: the seed and the network policy."""
    settings = config.stash[_SETTINGS]
    network = "allowed" if settings.allow_network else "off"
    return f"gradio-fake: seed {settings.seed}, network {network}"


def _fail(item: pytest.Item, problem: str) -> NoReturn:
    """A one-line setup error pointing at the test (no traceback into the plugin)."""
    __tracebackhide__ = True
    path, lineno, _ = item.location
    where = f"{path}:{lineno + 1}" if lineno is not None else item.nodeid
    # ``from None``: called while handling the cause, whose traceback says nothing useful.
    raise pytest.fail.Exception(f"{where}: {problem}", pytrace=False) from None


def _load_scenario(item: pytest.Item, settings: Settings) -> Scenario | None:
    try:
        marker = ScenarioMarker.for_item(item)
        if marker is None:
            return None
        from gradio_fake._scenario import load_scenario

        return load_scenario(marker.name_or_path, search_dirs=settings.search_dirs,
                             **marker.overrides)
    except TypeError as exc:
        _fail(item, str(exc))
    except ScenarioError as exc:
        _fail(item, f"@pytest.mark.{MARKER_SCENARIO}: {exc}")


@pytest.fixture
def gradio_fake(request: pytest.FixtureRequest,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGradio]:
    """An active :class:`~gradio_fake.FakeGradio` for this test, left cleanly at its end.

    A ``@pytest.mark.gradio_scenario(...)`` declares the scenario's Space in it.
    Seed, from strongest: ``@pytest.mark.gradio_fake(seed=...)``, the scenario's
    seed (its ``seed=`` override, else the file's), ``--gradio-fake-seed``.
    Network: ``@pytest.mark.gradio_fake(allow_network=...)``, else
    ``--gradio-fake-allow-network``. Strict mode (``strict=True`` in the marker, or
    ``--gradio-fake-strict``): a test that passed, but whose fake saw a scripted call
    never made or a request no fake served, errors at teardown with the list (a test
    that failed keeps its own failure). While it is active, starting freezegun or
    time-machine raises :class:`~gradio_fake.GradioFakeError`. Function-scoped:
    under Hypothesis ``@given``, use ``with FakeGradio() as fake:`` in the test body.
    """
    item: pytest.Item = request.node
    settings = request.config.stash[_SETTINGS]
    scenario = _load_scenario(item, settings)
    try:
        options = FakeOptions.for_item(item, settings,
                                       scenario.seed if scenario is not None else None)
        fake = FakeGradio(seed=options.seed, allow_network=options.allow_network,
                          start=options.start, watchdog=options.watchdog,
                          strict=options.strict)
    except (TypeError, ValueError) as exc:
        _fail(item, str(exc))
    try:
        fake.__enter__()
    except GradioFakeError as exc:
        _fail(item, f"GradioFakeError: {exc}")
    item.stash[_FAKE] = fake
    item.stash[_REPORTED] = False
    try:
        refuse_foreign_time(monkeypatch)
        if scenario is not None:
            try:
                scenario.apply(fake)
            except ScenarioError as exc:
                _fail(item, f"@pytest.mark.{MARKER_SCENARIO}: {exc}")
            item.stash[_SCENARIO] = scenario
        yield fake
    finally:
        if item.stash.get(_REPORTED, False):  # it failed already: that is its report
            fake.strict = False
        fake.__exit__(None, None, None)


@pytest.fixture
def sim_clock(gradio_fake: FakeGradio) -> VirtualClock:
    """The virtual clock of the test's ``gradio_fake``."""
    return gradio_fake.clock


@pytest.fixture
def gradio_job(request: pytest.FixtureRequest, gradio_fake: FakeGradio) -> Job:
    """A real ``gradio_client.Job``: the first call of the test's scenario, submitted.

    Needs ``@pytest.mark.gradio_scenario("name-or-path", **overrides)``.
    """
    item: pytest.Item = request.node
    scenario = item.stash.get(_SCENARIO, None)
    if scenario is None:
        _fail(item, f"the gradio_job fixture needs @pytest.mark.{MARKER_SCENARIO}"
                    f"('name-or-path') on the test, its class or its module")
    jobs = scenario.submit(gradio_fake)
    if not jobs:
        _fail(item, f"@pytest.mark.{MARKER_SCENARIO}: the scenario has no call to submit, "
                    f"so there is no job for gradio_job")
    return jobs[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the "gradio-fake timeline" section (and the SVG) to a failing test's report."""
    report = yield
    fake = item.stash.get(_FAKE, None)
    if fake is not None and report.failed and not item.stash.get(_REPORTED, False):
        item.stash[_REPORTED] = True
        text = timeline_section(fake)
        svg_dir = item.config.stash[_SETTINGS].svg_dir
        if svg_dir is not None:
            text += f"\nSVG: {write_svg(fake, svg_dir, item.nodeid)}\n"
        report.sections.append((SECTION, text))
    if call.when == "teardown":  # the journal is not kept for the rest of the session
        if _FAKE in item.stash:
            del item.stash[_FAKE]
        if _SCENARIO in item.stash:
            del item.stash[_SCENARIO]
    return report
