"""The pytest plugin, driven through ``pytester`` as a user's test suite would drive it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import xml.etree.ElementTree as ET

import httpcore  # noqa: F401 - see below
import hypothesis.internal.observability  # noqa: F401 - see below
import pytest
from packaging.version import Version
from support import CLIENT_VERSION

from gradio_fake import MessageRecord, RequestRecord
from gradio_fake._chart import render_svg, render_text, tracks

# pytester's in-process runs forget the modules first imported during a run. httpx imports
# httpcore lazily and caches its exception classes on first use, so httpcore is imported
# here, once for the whole process, or a later run would see a second httpcore whose
# connection errors httpx no longer recognises. Hypothesis' pytest plugin imports
# hypothesis at the end of every run: imported here, it is not imported afresh each time.


def _installed_through_entry_point() -> bool:
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.name == "gradio_fake" and ep.value == "pytest_gradio_fake"
               for ep in importlib.metadata.entry_points(group="pytest11"))


#: Installed (nox, pip), pytest loads the plugin through its entry point; from a source
#: tree (PYTHONPATH), it has to be named. Naming it twice would register it twice.
PLUGIN: tuple[str, ...] = () if _installed_through_entry_point() else ("-p", "pytest_gradio_fake")

ECHO = '''
def echo(fake, name="acme/echo", duration=30, **endpoint):
    space = fake.space(name, gradio="4.44.1")
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                   fn=lambda s: s[::-1], duration=duration, **endpoint)
    return fake.client(name)
'''


#: pytest-asyncio (when installed) warns in every run that leaves this setting unset.
QUIET: tuple[str, ...] = (("-o", "asyncio_default_fixture_loop_scope=function")
                          if importlib.util.find_spec("pytest_asyncio") else ())


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN, *QUIET, "-p", "no:cacheprovider", *args)


# -- fixtures ------------------------------------------------------------------------------
def test_fixtures_give_an_active_fake_its_clock_and_a_clean_exit(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ECHO + '''
import time
from gradio_fake import FakeGradio, VirtualClock
from gradio_fake._realtime import REAL

seen = []

def test_active(gradio_fake, sim_clock):
    assert isinstance(gradio_fake, FakeGradio) and gradio_fake.active
    assert isinstance(sim_clock, VirtualClock) and sim_clock is gradio_fake.clock
    job = echo(gradio_fake).submit("abc", api_name="/predict")
    sim_clock.advance(10)
    assert job.status().code.name == "PROCESSING"
    assert job.result() == "cba" and sim_clock.now == 30
    assert time.time() == 1767225600 + 30  # 2026-01-01T00:00:30Z, virtual
    seen.append(gradio_fake)

def test_a_new_world_per_test(gradio_fake, sim_clock):
    assert sim_clock.now == 0 and gradio_fake.requests == []
    assert seen and seen[0] is not gradio_fake

def test_the_previous_fake_was_left():
    assert not seen[0].active
    assert time.time is REAL.time and time.sleep is REAL.sleep
''')
    run(pytester).assert_outcomes(passed=3)


def test_seed_from_option_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ECHO + '''
import pytest
from gradio_fake import FakeGradio

def first_event_id(fake):
    echo(fake).submit("x", api_name="/predict").result()
    return [r.event_id for r in fake.requests if r.path.endswith("/queue/join")][0]

ids = {}

@pytest.mark.parametrize("seed", [0, 3, 7])
def test_reference(seed):
    with FakeGradio(seed=seed) as fake:
        ids[seed] = first_event_id(fake)
    assert len(set(ids.values())) == len(ids)

def test_seed_from_the_command_line(gradio_fake, pytestconfig):
    assert first_event_id(gradio_fake) == ids[pytestconfig.getoption("gradio_fake_seed")]

@pytest.mark.gradio_fake(seed=3)
def test_seed_from_the_marker(gradio_fake):
    assert first_event_id(gradio_fake) == ids[3]
''')
    run(pytester).assert_outcomes(passed=5)
    run(pytester, "--gradio-fake-seed=7").assert_outcomes(passed=5)


def test_closest_marker_wins_per_keyword(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest

pytestmark = pytest.mark.gradio_fake(seed=5, start="2030-06-01T12:00:00Z")

@pytest.mark.gradio_fake(seed=9)
def test_merged(gradio_fake):
    assert gradio_fake._world.seed == 9
    assert gradio_fake.clock.start.year == 2030
''')
    run(pytester).assert_outcomes(passed=1)


def test_unknown_marker_keywords_are_a_one_line_error_naming_them(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad='''
import pytest

@pytest.mark.gradio_fake(sead=1, allow_netwrk=True)
def test_typo(gradio_fake):
    pass
''')
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_typo*",
        "test_bad.py:3: @pytest.mark.gradio_fake() got unknown keyword argument(s) "
        "allow_netwrk (did you mean allow_network?), sead (did you mean seed?); "
        "it accepts allow_network, seed, start, strict, watchdog",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*During handling*")


def test_ill_typed_marker_value_is_a_type_error_for_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad='''
import pytest

@pytest.mark.gradio_fake(seed="1")
def test_typed(gradio_fake):
    pass

@pytest.mark.gradio_fake(1)
def test_positional(gradio_fake):
    pass
''')
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "test_bad.py:3: seed must be an int, not '1'",
        "test_bad.py:7: @pytest.mark.gradio_fake() takes keyword arguments only, got (1,)",
    ])


def test_markers_are_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest

@pytest.mark.gradio_fake(seed=1)
def test_marked(gradio_fake):
    pass
''')
    run(pytester, "--strict-markers").assert_outcomes(passed=1)
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.gradio_scenario(name_or_path, **overrides):*",
                                 "@pytest.mark.gradio_fake(*, seed=0, allow_network=False,*"])


# -- scenarios ------------------------------------------------------------------------------
SCENARIO = """
description = "An echo that takes its time."
seed = 4

[space]
id = "acme/mine"
gradio = "4.44.1"

[[endpoints]]
api_name = "/shout"
inputs = ["textbox"]
outputs = ["textbox"]
handler = "upper"
duration = 20
progress = [0.25, 0.5, 0.75]

[[calls]]
id = "first"
api_name = "/shout"
args = ["hi"]

[[calls]]
id = "second"
api_name = "/shout"
args = ["there"]
"""


def test_gradio_job_is_the_first_call_of_a_bundled_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest
from gradio_client.client import Job
from gradio_fake._scenario import load_scenario

NAME = "slow-job-with-progress"

@pytest.mark.gradio_scenario(NAME)
def test_job(gradio_job, gradio_fake, sim_clock):
    scenario = load_scenario(NAME)
    first = scenario.calls[0]
    assert isinstance(gradio_job, Job)
    assert [s.name for s in gradio_fake._world.spaces] == [scenario.space.target]
    joins = [r for r in gradio_fake.requests if r.path.endswith("/queue/join")]
    assert len(joins) == len(scenario.calls) and joins[0].json["data"] == list(first.args)
    expected = scenario.expect[first.id]
    assert gradio_job.result() == expected.result
    assert sim_clock.now == expected.finished_at
''')
    run(pytester).assert_outcomes(passed=1)


def test_scenario_from_search_dirs_option_and_ini(pytester: pytest.Pytester) -> None:
    (pytester.path / "myscenarios").mkdir()
    (pytester.path / "myscenarios" / "my-echo.toml").write_text(SCENARIO)
    pytester.makepyfile('''
import pytest

@pytest.mark.gradio_scenario("my-echo")
def test_job(gradio_job, gradio_fake, sim_clock):
    sim_clock.advance(10)
    assert gradio_job.status().code.name == "PROGRESS"
    assert gradio_job.result() == "HI" and sim_clock.now == 20

@pytest.mark.gradio_scenario("my-echo")
def test_space_declared_without_gradio_job(gradio_fake):
    assert gradio_fake.client("acme/mine").predict("x", api_name="/shout") == "X"
    assert gradio_fake.clock.now == 20
''')
    run(pytester, "--gradio-fake-scenarios=myscenarios").assert_outcomes(passed=2)
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*: @pytest.mark.gradio_scenario: unknown scenario 'my-echo'*"])
    pytester.makeini("[pytest]\ngradio_fake_scenarios = myscenarios\n")
    run(pytester).assert_outcomes(passed=2)


def test_scenario_path_is_found_beside_the_test_file(pytester: pytest.Pytester) -> None:
    tests = pytester.mkpydir("tests")
    (tests / "data").mkdir()
    (tests / "data" / "echo.toml").write_text(SCENARIO)
    (tests / "test_path.py").write_text('''
import pytest

@pytest.mark.gradio_scenario("data/echo.toml")
def test_relative(gradio_job):
    assert gradio_job.result() == "HI"
''')
    run(pytester, "tests").assert_outcomes(passed=1)


def test_gradio_job_follows_its_calls_own_script(pytester: pytest.Pytester) -> None:
    scripted = SCENARIO.replace('id = "first"\napi_name = "/shout"\nargs = ["hi"]\n',
                                'id = "first"\napi_name = "/shout"\nargs = ["hi"]\nscript = [\n'
                                '  {at = 0, kind = "estimation", rank = 6, queue_size = 7},\n'
                                '  {at = 30, kind = "process_starts"},\n'
                                '  {at = 31, kind = "process_completed", value = "EXACT"},\n]\n')
    assert scripted != SCENARIO
    pytester.makefile(".toml", echo=scripted)
    pytester.makepyfile('''
import pytest

@pytest.mark.gradio_scenario("echo.toml")
def test_job(gradio_job, sim_clock):
    status = gradio_job.status()
    assert (status.code.name, status.rank, status.queue_size) == ("IN_QUEUE", 6, 7)
    sim_clock.run_until(30)
    assert gradio_job.status().code.name == "PROCESSING"
    assert gradio_job.result() == "EXACT" and sim_clock.now == 31
''')
    run(pytester).assert_outcomes(passed=1)


def test_scenario_overrides_and_the_seed(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", echo=SCENARIO)
    pytester.makepyfile(ECHO + '''
import pytest
from gradio_fake import FakeGradio

def first_event_id(fake):
    return [r.event_id for r in fake.requests if r.path.endswith("/queue/join")][0]

ids = {}

@pytest.mark.parametrize("seed", [1, 4, 7, 9])
def test_reference(seed):
    with FakeGradio(seed=seed) as fake:
        echo(fake).submit("x", api_name="/predict").result()
        ids[seed] = first_event_id(fake)

@pytest.mark.gradio_scenario("echo.toml")
def test_the_scenario_seed_wins_over_the_command_line(gradio_job, gradio_fake):
    assert first_event_id(gradio_fake) == ids[4]

@pytest.mark.gradio_scenario("echo.toml", seed=9, gradio="4.32.2", max_size=1)
def test_overrides(gradio_job, gradio_fake):
    assert first_event_id(gradio_fake) == ids[9]
    config = [r for r in gradio_fake.requests if r.path.endswith("/config")][0]
    assert config.response["version"] == "4.32.2"
    assert [r.status for r in gradio_fake.requests if r.path.endswith("/queue/join")] == [
        200, 200]  # the first call runs, the second waits: the queue holds one

@pytest.mark.gradio_fake(seed=1)
@pytest.mark.gradio_scenario("echo.toml", seed=9)
def test_the_fake_marker_wins(gradio_job, gradio_fake):
    assert first_event_id(gradio_fake) == ids[1]

def test_no_scenario_takes_the_command_line(gradio_fake):
    echo(gradio_fake).submit("x", api_name="/predict").result()
    assert first_event_id(gradio_fake) == ids[7]
''')
    run(pytester, "--gradio-fake-seed=7").assert_outcomes(passed=8)


def test_marker_on_module_and_class(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", echo=SCENARIO)
    pytester.makepyfile('''
import pytest

pytestmark = pytest.mark.gradio_scenario("echo.toml")

def test_module_level(gradio_job):
    assert gradio_job.result() == "HI"

@pytest.mark.gradio_scenario("echo.toml", gradio="4.32.2")
class TestClass:
    def test_class_level(self, gradio_job, gradio_fake):
        assert gradio_job.result() == "HI"
        config = [r for r in gradio_fake.requests if r.path.endswith("/config")][0]
        assert config.response["version"] == "4.32.2"
''')
    run(pytester).assert_outcomes(passed=2)


def test_scenario_marker_errors_are_one_line_and_helpful(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", broken='[space]\nid = "acme/x"\ngradio = "4.44.1"\n'
                      '[[endpoints]]\napi_name = "/a"\ninputs = ["textbox"]\n'
                      'outputs = ["textbox"]\nduration = -3\n')
    pytester.makepyfile(test_bad='''
import pytest

@pytest.mark.gradio_scenario("slow-job-with-progres")
def test_typo(gradio_job):
    pass

@pytest.mark.gradio_scenario("slow-job-with-progress", maxsize=3, colour="red")
def test_bad_override(gradio_job):
    pass

@pytest.mark.gradio_scenario("slow-job-with-progress", max_size=-1)
def test_bad_override_value(gradio_job):
    pass

@pytest.mark.gradio_scenario()
def test_no_name(gradio_fake):
    pass

@pytest.mark.gradio_scenario("broken.toml")
def test_broken_file(gradio_fake):
    pass

def test_job_without_scenario(gradio_job):
    pass
''')
    result = run(pytester)
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines([
        "test_bad.py:3: @pytest.mark.gradio_scenario: unknown scenario "
        "'slow-job-with-progres'; did you mean 'slow-job-with-progress'?*",
        "test_bad.py:7: @pytest.mark.gradio_scenario('slow-job-with-progress') got unknown "
        "override(s) colour, maxsize (did you mean max_size?); it accepts gradio, max_size,*",
        "test_bad.py:11: @pytest.mark.gradio_scenario: *space.max_size (override "
        "max_size=-1): *",
        "test_bad.py:15: @pytest.mark.gradio_scenario() takes one scenario name or path, then "
        "keyword overrides; got ()",
        "test_bad.py:19: @pytest.mark.gradio_scenario: *broken.toml:8: "
        "endpoints[[]0].duration: expected a number >= 0, got -3",
        "test_bad.py:23: the gradio_job fixture needs @pytest.mark.gradio_scenario"
        "('name-or-path') on the test, its class or its module",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_failing_scenario_test_gets_the_timeline(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", echo=SCENARIO)
    pytester.makepyfile('''
import pytest

@pytest.mark.gradio_scenario("echo.toml")
def test_wrong_expectation(gradio_job, sim_clock):
    sim_clock.advance(25)
    assert not gradio_job.done()
''')
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*- gradio-fake timeline -*",
        "virtual time at the end: 25s (2026-01-01T00:00:25Z)",
        "",
        "2 jobs, virtual time 0s to 25s, one column = 0.5s",
        "                    0s        5s        10s       15s       20s       25s",
        "                    +---------+---------+---------+---------+---------+",
        "#1 /shout ????????  >=========p=========p=========p=========F",
        "#2 /shout ????????  Q.......................................>=========p",
        "*. waiting  = processing  Q in queue  > processing starts  p progress  F finished",
        "",
        "#1 /shout ???????? (acme/mine, event *)",
        "*",
        "*",
        "*",
        "       5.000s  PROGRESS      25%",
    ])


# -- network -------------------------------------------------------------------------------
NETWORK = '''
import httpx, pytest

URL = "http://127.0.0.1:9/nothing"  # the discard port: closed, so a real attempt is refused

def test_network(gradio_fake):
    with pytest.raises(httpx.ConnectError) as info:
        httpx.get(URL, timeout=5)
    print("ERROR WAS:", info.value)
    assert ("gradio-fake: no fake serves GET " + URL in str(info.value)) == EXPECT_FAKE
'''


def test_network_is_off_by_default_and_the_error_names_the_url(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(NETWORK.replace("EXPECT_FAKE", "True"))
    run(pytester).assert_outcomes(passed=1)


def test_allow_network_option_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(NETWORK.replace("EXPECT_FAKE", "False"))
    run(pytester, "--gradio-fake-allow-network").assert_outcomes(passed=1)
    pytester.makepyfile(NETWORK.replace("EXPECT_FAKE", "False").replace(
        "def test_network", "@pytest.mark.gradio_fake(allow_network=True)\ndef test_network"))
    run(pytester).assert_outcomes(passed=1)


# -- strict mode ---------------------------------------------------------------------------
STRICT = '''
import pytest

def scripted(fake):
    space = fake.space("acme/script", gradio="4.44.1")
    space.endpoint("/scripted", inputs=["textbox"], outputs=["textbox"],
                   script=[(0, "process_starts"), (1, "process_completed", "done")])
    return fake.client("acme/script")

MARK
def test_called(gradio_fake):
    assert scripted(gradio_fake).predict("x", api_name="/scripted") == "done"

MARK
def test_never_called(gradio_fake):
    scripted(gradio_fake)

MARK
def test_failing_on_its_own(gradio_fake):
    scripted(gradio_fake)
    assert False, "its own failure"
'''


def test_strict_marker_fails_a_test_that_left_a_scripted_call_unmade(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(STRICT.replace("MARK", "@pytest.mark.gradio_fake(strict=True)"))
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_never_called*",
        "*StrictModeError: gradio-fake strict mode: 1 problem(s):",
        "*  - scripted call /scripted of acme/script was never made",
    ])
    out = result.stdout.str()
    assert "its own failure" in out
    # The test that failed on its own is reported with its own failure only (how many
    # times the teardown error is repeated in the summary depends on pytest's version).
    own = out.split("_ test_failing_on_its_own _", 1)[1].split("short test summary", 1)[0]
    assert "its own failure" in own and "StrictModeError" not in own
    summary = [line for line in result.stdout.lines if "test_failing_on_its_own" in line
               and line.startswith("FAILED")]
    assert summary and all("StrictModeError" not in line for line in summary)


def test_strict_option_and_a_marker_that_switches_it_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(STRICT.replace("MARK", ""))
    run(pytester).assert_outcomes(passed=2, failed=1)
    run(pytester, "--gradio-fake-strict").assert_outcomes(passed=2, failed=1, errors=1)
    pytester.makepyfile(STRICT.replace("MARK", "@pytest.mark.gradio_fake(strict=False)"))
    run(pytester, "--gradio-fake-strict").assert_outcomes(passed=2, failed=1)


# -- options checked at startup ------------------------------------------------------------
def test_scenarios_option_that_is_not_a_directory_is_a_usage_error(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    pytester.makefile(".toml", afile="x = 1")
    for value in ("missing", "afile.toml"):
        result = run(pytester, f"--gradio-fake-scenarios={value}")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([f"ERROR: --gradio-fake-scenarios={value}: not a directory*"])
        assert len([line for line in result.stderr.lines if line.strip()]) == 1


def test_scenarios_ini_that_is_not_a_directory_is_a_usage_error(
        pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngradio_fake_scenarios = nowhere\n")
    pytester.makepyfile("def test_x(): pass")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: ini option gradio_fake_scenarios: *nowhere "
                                 "is not a directory"])


def test_seed_option_must_be_an_int(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--gradio-fake-seed=abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--gradio-fake-seed: invalid int value: 'abc'"])


def test_svg_option_naming_a_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".txt", taken="x")
    result = run(pytester, "--gradio-fake-svg=taken.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --gradio-fake-svg=taken.txt: exists and is not a "
                                 "directory"])


def test_report_header_names_seed_and_network(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    run(pytester, "--gradio-fake-seed=4").stdout.fnmatch_lines(
        ["gradio-fake: seed 4, network off"])


# -- the failure report --------------------------------------------------------------------
FAILING = ECHO + '''
def test_two_jobs_one_waits(gradio_fake, sim_clock):
    client = echo(gradio_fake, progress=[0.5])
    first = client.submit("ab", api_name="/predict")
    second = client.submit("cd", api_name="/predict")
    sim_clock.advance(45)
    assert second.status().code.name == "FINISHED"  # it started at 30s: still processing

def test_passes(gradio_fake):
    assert echo(gradio_fake).predict("x", api_name="/predict") == "x"

def test_fails_without_the_fake():
    assert False
'''


def test_failing_test_gets_the_timeline_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=FAILING)
    result = run(pytester, "-rA")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*_ test_two_jobs_one_waits _*",
        "*AssertionError*",
        "*- gradio-fake timeline -*",
        "virtual time at the end: 45s (2026-01-01T00:00:45Z)",
        "",
        "2 jobs, virtual time 0s to 45s, one column = 1s",
        "                      0s        10s       20s       30s       40s",
        "                      +---------+---------+---------+---------+-----",
        "#1 /predict ????????  >==============p==============F",
        "#2 /predict ????????  Q.............................>==============p",
        "                      . waiting  = processing  Q in queue  > processing starts  "
        "p progress  F finished",
        "",
        "#1 /predict ???????? (acme/echo, event *)",
        "       0.000s  JOINED        POST /queue/join -> 200",
        "       0.000s  IN_QUEUE      rank 0, queue size 1",
        "       0.000s  PROCESSING",
        "      15.000s  PROGRESS      50%",
        '      30.000s  FINISHED      success: ["ba"]',
        "",
        "#2 /predict ???????? (acme/echo, event *)",
        "       0.000s  JOINED        POST /queue/join -> 200",
        "       0.000s  IN_QUEUE      rank 0, queue size 1",
        "      30.000s  PROCESSING    eta 30s",
        "      45.000s  PROGRESS      50%",
        "               still running at 45s",
        "",
        "journal (fake.timeline()):",
        "  t=    0.000s GET   /config -> 200",
        "*process_completed*",
        "*_ test_fails_without_the_fake _*",
    ])
    sections = [line for line in result.stdout.lines if "gradio-fake timeline" in line]
    assert len(sections) == 1  # neither the passing test nor the test without the fake


def test_setup_error_of_a_test_using_the_fake_gets_the_section(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ECHO + '''
import pytest

@pytest.fixture
def finished_job(gradio_fake):
    job = echo(gradio_fake, duration=5).submit("ab", api_name="/predict")
    job.result()
    raise RuntimeError("the fixture broke after the job finished")

def test_x(finished_job):
    pass
''')
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*- gradio-fake timeline -*", "#1 /predict *  >*F"])


def test_svg_written_for_failing_tests_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=FAILING)
    result = run(pytester, "--gradio-fake-svg=pictures")
    result.assert_outcomes(passed=1, failed=2)
    svgs = sorted((pytester.path / "pictures").iterdir())
    assert [p.name for p in svgs] == [
        p.name for p in svgs if p.name.startswith("test_report.py_test_two_jobs_one_waits-")]
    assert len(svgs) == 1
    result.stdout.fnmatch_lines([f"SVG: {svgs[0]}"])
    root = ET.fromstring(svgs[0].read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("#1 /predict ") for t in texts)
    assert any(t.startswith("#2 /predict ") for t in texts)
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "t=30s PROCESSING eta 30s" in titles
    assert 'gradio-fake timeline: test_report.py::test_two_jobs_one_waits' in texts


# -- time owned by someone else ------------------------------------------------------------
def test_freezegun_started_during_the_test_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import time
from freezegun import freeze_time
from gradio_fake._realtime import REAL

@freeze_time("2020-01-01")
def test_decorated(gradio_fake):
    pass

def test_context_manager(gradio_fake):
    with freeze_time("2020-01-01"):
        pass

def test_freezegun_works_again_without_the_fake():
    with freeze_time("2020-01-01"):
        assert time.time() == 1577836800
    assert time.time is REAL.time
''')
    result = run(pytester)
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines([
        "*GradioFakeError: freezegun's freeze_time was started while the gradio_fake fixture "
        "is active; gradio-fake owns the clock during the test*sim_clock.advance(seconds)*",
    ] * 2)


def test_time_frozen_before_the_fixture_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest, time
from freezegun import freeze_time
from gradio_fake._realtime import REAL

@pytest.fixture
def frozen():
    with freeze_time("2020-01-01"):
        yield

def test_frozen_first(frozen, gradio_fake):
    pass

def test_everything_restored():
    assert time.time is REAL.time
''')
    result = run(pytester)
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_frozen_first*",
        "test_*.py:*: GradioFakeError: time is already frozen by freezegun in this test;*",
    ])


def test_time_machine_started_during_the_test_is_a_clear_error(
        pytester: pytest.Pytester) -> None:
    # A stand-in with time-machine's shape (travel(dest).start(), and __enter__ calling
    # start()), used when the real time-machine is not installed.
    pytester.makepyfile(time_machine='''
class travel:
    def __init__(self, destination, tick=True):
        self.destination = destination
    def start(self):
        return self.destination
    def stop(self):
        pass
    def __enter__(self):
        return self.start()
    def __exit__(self, *exc):
        self.stop()
''')
    pytester.makepyfile(test_tm='''
import time_machine

def test_travel(gradio_fake):
    with time_machine.travel(0):
        pass

def test_travel_works_again_without_the_fake():
    traveller = time_machine.travel(0)
    traveller.start()
    traveller.stop()
''')
    pytester.syspathinsert()
    result = run(pytester)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*GradioFakeError: time_machine.travel was started while the "
                                 "gradio_fake fixture is active*"])


# -- beside other plugins ------------------------------------------------------------------
def test_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_report=FAILING)
    pytester.makepyfile(test_more=ECHO + '''
import pytest

@pytest.mark.parametrize("text", ["a", "bc", "def", "ghij"])
def test_many(gradio_fake, sim_clock, text):
    job = echo(gradio_fake).submit(text, api_name="/predict")
    assert job.result() == text[::-1] and sim_clock.now == 30
''')
    (pytester.path / "scen").mkdir()
    (pytester.path / "scen" / "my-echo.toml").write_text(SCENARIO)
    pytester.makepyfile(test_scenarios='''
import pytest

@pytest.mark.gradio_scenario("my-echo")
def test_by_name(gradio_job):
    assert gradio_job.result() == "HI"

@pytest.mark.gradio_scenario("scen/my-echo.toml", gradio="4.32.2")
def test_by_path(gradio_job):
    assert gradio_job.result() == "HI"
''')
    result = pytester.runpytest_subprocess("-n", "2", *PLUGIN, "-p", "no:cacheprovider",
                                           "--gradio-fake-scenarios=scen")
    result.assert_outcomes(passed=7, failed=2)
    result.stdout.fnmatch_lines(["created: 2/2 workers", "*- gradio-fake timeline -*",
                                 "#2 /predict ????????  Q.............................>==*"])


@pytest.mark.skipif(CLIENT_VERSION < Version("1.14"), reason="async for over a Job: client 1.14+")
def test_beside_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_asyncio")
    pytester.makepyfile('''
import datetime, pytest

@pytest.mark.asyncio
async def test_async_iteration(gradio_fake, sim_clock):
    space = gradio_fake.space("acme/words", gradio="4.44.1")
    space.endpoint("/words", inputs=["textbox"], outputs=["textbox"],
                   yields=["a", "ab", "abc"], duration=30)
    job = gradio_fake.client("acme/words").submit("x", api_name="/words")
    outputs, statuses = [], []
    async for update in job:
        if update.type == "output" and not update.final:
            outputs.append((sim_clock.now, update.outputs))
        elif update.type == "status":
            statuses.append((update.code.name, update.time))
    assert outputs == [(10, "a"), (20, "ab"), (30, "abc")]
    start = datetime.datetime(2026, 1, 1)
    assert statuses[0] == ("IN_QUEUE", start)
    assert ("ITERATING", start + datetime.timedelta(seconds=20)) in statuses
    assert statuses[-1] == ("FINISHED", start + datetime.timedelta(seconds=30))
    assert job.result() == "abc"
''')
    pytester.makefile(".toml", words='''
description = "A generator: three outputs in three seconds."

[space]
id = "acme/words"
gradio = "4.44.1"

[[endpoints]]
api_name = "/words"
inputs = ["textbox"]
outputs = ["textbox"]
yields = ["a", "ab", "abc"]
duration = 3

[[calls]]
id = "only"
api_name = "/words"
args = ["x"]
''')
    pytester.makepyfile(test_job='''
import pytest

@pytest.mark.asyncio
@pytest.mark.gradio_scenario("words.toml")
async def test_async_gradio_job(gradio_job, sim_clock):
    outputs = [(sim_clock.now, u.outputs) async for u in gradio_job
               if u.type == "output" and not u.final]
    assert outputs == [(1, "a"), (2, "ab"), (3, "abc")]
''')
    run(pytester).assert_outcomes(passed=2)


def test_hypothesis_with_the_context_manager_and_the_fixture_caveat(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ECHO + '''
from hypothesis import HealthCheck, given, settings, strategies as st
from gradio_fake import FakeGradio

@settings(max_examples=5, deadline=None)
@given(st.text(alphabet="abc", min_size=1, max_size=4),
       st.floats(min_value=1, max_value=100))
def test_each_example_its_own_world(text, duration):
    with FakeGradio() as fake:
        job = echo(fake, duration=duration).submit(text, api_name="/predict")
        assert job.result() == text[::-1]
        assert fake.clock.now == duration

@settings(max_examples=3, deadline=None)
@given(st.text(alphabet="abc", min_size=1, max_size=4))
def test_fixture_is_shared_across_examples(gradio_fake, text):
    pass
''')
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*FailedHealthCheck*function-scoped fixture*gradio_fake*"])


def test_no_fixture_no_effect(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import time, httpx, pytest
from gradio_fake._realtime import REAL

def test_plain():
    assert time.time is REAL.time
    with pytest.raises(httpx.ConnectError) as info:
        httpx.get("http://127.0.0.1:9/", timeout=5)
    assert "gradio-fake" not in str(info.value)
''')
    run(pytester).assert_outcomes(passed=1)


def test_chart_is_deterministic_and_shows_errors_and_refusals() -> None:
    """The chart renderer on its own: the same journal always gives the same picture."""
    from gradio_fake import FakeGradio

    pictures = []
    for _ in range(2):
        with FakeGradio() as fake:
            space = fake.space("acme/err", gradio="4.44.1", max_size=1)
            space.endpoint("/fail", inputs=["textbox"], outputs=["textbox"], error="boom",
                           duration=4)
            client = fake.client("acme/err")
            jobs = [client.submit(str(i), api_name="/fail") for i in range(3)]
            fake.run_until_idle()
            for job in jobs:
                with pytest.raises(Exception):  # noqa: B017 - AppError, or QueueError
                    job.result()
            pictures.append((render_text(fake.requests, fake.messages, now=fake.clock.now),
                             render_svg(fake.requests, fake.messages, now=fake.clock.now)))
    assert pictures[0] == pictures[1]
    text = pictures[0][0]
    assert "#1 /fail " in text and "#3 /fail " in text
    lines = text.splitlines()
    row1 = next(line for line in lines if line.startswith("#1 /fail"))
    row2 = next(line for line in lines if line.startswith("#2 /fail"))
    row3 = next(line for line in lines if line.startswith("#3 /fail"))
    assert row1.rstrip().endswith(">" + "=" * (row1.count("=")) + "X")
    assert ">" in row2 and row2.rstrip().endswith("X") and "Q." in row2
    assert row3.split()[-1] == "!"  # the queue was full: the join was refused
    assert "QUEUE_FULL    POST /queue/join -> 503" in text
    assert text.count("FINISHED      error: ") == 2 and "boom" in text


def _request(seq: int, time: float, path: str, *, status: int | None = 200, body: object = None,
             response: object = None, event_id: str | None = None,
             error: str | None = None) -> RequestRecord:
    return RequestRecord(time, "POST" if body is not None else "GET",
                         f"https://acme-x.hf.space{path}", path, "acme/x", status, body,
                         response, "s1", event_id, error, seq)


def _message(seq: int, time: float, event_id: str, msg: str, **payload: object) -> MessageRecord:
    return MessageRecord(time, "acme/x", "s1", event_id, msg,
                         {"msg": msg, "event_id": event_id, **payload}, seq)


def test_chart_names_every_kind_of_message_and_escapes_svg() -> None:
    config = {"dependencies": [{"id": 0, "api_name": "gen"}, {"id": 1, "api_name": None}]}
    requests = [
        _request(1, 0, "/config", response=config),
        _request(2, 0, "/queue/join", body={"fn_index": 0}, response={"event_id": "aaaa1111"},
                 event_id="aaaa1111"),
        _request(3, 0, "/queue/join", body={"fn_index": 1}, response={"event_id": "bbbb2222"},
                 event_id="bbbb2222"),
        _request(9, 6, "/cancel", body={"event_id": "bbbb2222"}, event_id="bbbb2222"),
        _request(12, 8, "/queue/join", body={"fn_index": 0}, status=None,
                 error="ConnectError('<cut>')"),
    ]
    messages = [
        _message(4, 0, "aaaa1111", "estimation", rank=2, queue_size=3, rank_eta=4.5),
        _message(5, 0, "aaaa1111", "process_starts", eta=None),
        _message(6, 1, "aaaa1111", "progress", progress_data=[
            {"index": 3, "length": 8, "unit": "steps", "progress": None, "desc": "<denoise>"}]),
        _message(7, 2, "aaaa1111", "progress", progress_data=[
            {"index": None, "length": None, "unit": "steps", "progress": 0.5, "desc": None}]),
        _message(8, 3, "aaaa1111", "process_generating", output={"data": ["a"]}, success=True),
        _message(10, 4, "aaaa1111", "log", log="hot & humid", level="warning"),
        _message(11, 4, "aaaa1111", "heartbeat"),
        _message(13, 5, "aaaa1111", "process_completed", output={"error": "x<y"},
                 success=False),
        _message(14, 6, "bbbb2222", "process_completed", output={}, success=True),
        _message(15, 7, "cccc3333", "something_new", value=1),
        _message(16, 9, "dddd4444", "unexpected_error", message="Server stopped unexpectedly."),
    ]
    all_tracks = tracks(requests, messages)
    assert [t.label for t in all_tracks] == [
        "#1 /gen aaaa1111", "#2 fn_index 1 bbbb2222", "#3 /gen", "#4 ? cccc3333",
        "#5 ? dddd4444"]
    assert [(m.status, m.detail) for m in all_tracks[0].marks] == [
        ("JOINED", "POST /queue/join -> 200"),
        ("IN_QUEUE", "rank 2, queue size 3, eta 4.5s"),
        ("PROCESSING", ""),
        ("PROGRESS", "3/8 steps <denoise>"),
        ("PROGRESS", "50%"),
        ("ITERATING", "output #1"),
        ("LOG", "warning: hot & humid"),
        ("FINISHED", "error: x<y"),
    ]
    assert [m.status for m in all_tracks[1].marks] == ["JOINED", "CANCEL", "CANCELLED"]
    assert all_tracks[2].marks[0].status == "JOIN_FAILED"
    assert "ConnectError('<cut>')" in all_tracks[2].marks[0].detail
    assert all_tracks[3].marks[0].kind == "other" and all_tracks[3].end_state == "waiting"
    assert all_tracks[4].marks[0].kind == "rejected"

    text = render_text(requests, messages, now=10, width=20)
    lines = text.splitlines()
    assert lines[:8] == [
        "5 jobs, virtual time 0s to 10s, one column = 1s",
        "                        0s        10s",
        "                        +---------+",
        "#1 /gen aaaa1111        >ppolX",  # Q and > share column 0: the start shows
        "#2 fn_index 1 bbbb2222  ......C",  # waited, then cancelled (c and C share 6s)
        "#3 /gen                         !",  # the join itself failed at 8s
        "#4 ? cccc3333                  *...",
        "#5 ? dddd4444                    !",
    ]
    legend_lines = lines[8:lines.index("")]
    legend = " ".join(legend_lines)
    for entry in ("Q in queue", "o intermediate output", "l log", "c cancel requested",
                  "X error", "C cancelled", "! join refused / stream failed"):
        assert entry in legend
    assert "F finished" not in legend  # only what the chart shows
    assert max(len(line) for line in legend_lines) <= 24 + 80
    svg = render_svg(requests, messages, now=10, title="a<b")
    root = ET.fromstring(svg)  # well-formed: every detail escaped
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "t=1s PROGRESS 3/8 steps <denoise>" in titles
    assert "t=4s LOG warning: hot & humid" in titles
    with pytest.raises(ValueError, match="at least 10 columns"):
        render_text(requests, messages, width=5)
    assert render_text([], []) == "no jobs were submitted"
