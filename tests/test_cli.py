"""The ``gradio-fake`` command line, through ``main([...])`` and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from gradio_fake import ClientStuck, cli
from gradio_fake._scenario import Scenario, load_scenario, scenario_names

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
description = "An echo Space."

[space]
id = "acme/echo"
gradio = "4.44.1"

[[endpoints]]
api_name = "/echo"
inputs = ["textbox"]
outputs = ["textbox"]
handler = "echo"
duration = 3

[[calls]]
id = "hello"
api_name = "/echo"
args = ["hello"]

[expect.hello]
outcome = "result"
result = "hello"
finished_at = 3
"""


def write(folder: Path, text: str, name: str = "echo.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gradio-fake: error: "), err
    return lines[0][len("gradio-fake: error: "):]


# -- run --------------------------------------------------------------------------------------
def test_run_prints_the_timeline_and_exits_0(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    code, out, err = run_main(capsys, "run", str(write(tmp_path, GOOD)))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "echo: An echo Space."
    assert "submit /echo('hello')" in out and "-> result 'hello'" in out
    assert "(as expected)" in out


def test_run_a_bundled_scenario_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "run", "queue-full")
    assert code == 0 and "QueueError" in out


def test_run_exits_1_when_the_outcome_differs(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('result = "hello"', 'result = "bye"'))
    code, out, err = run_main(capsys, "run", str(path))
    assert code == 1 and err == ""
    assert "mismatch: hello: result: expected 'bye', got 'hello'" in out


def test_run_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_main(capsys, "run", str(write(tmp_path, GOOD)), "--json", "--seed", "4")
    data = json.loads(out)
    assert code == 0 and data["seed"] == 4 and data["mismatches"] == []
    (call,) = data["calls"]
    assert call["outcome"] == "result" and call["result"] == "hello" and call["ended_at"] == 3
    assert [s["code"] for s in call["statuses"]] == ["PROCESSING", "FINISHED"]


def test_run_with_another_gradio_version(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    code, out, _ = run_main(capsys, "run", str(write(tmp_path, GOOD)), "--gradio", "4.32.2")
    assert code == 0 and "Gradio 4.32.2" in out.splitlines()[1]


def test_run_looks_in_scenario_dirs_first(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    write(tmp_path, GOOD, name="queue-full.toml")
    code, out, _ = run_main(capsys, "run", "queue-full", "--scenarios", str(tmp_path))
    assert code == 0 and "An echo Space." in out


def test_run_an_invalid_scenario_exits_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("duration = 3", "duration = -3"))
    code, out, err = run_main(capsys, "run", str(path))
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"{path}:12: endpoints[0].duration: expected a number "
                                   f">= 0, got -3")


def test_run_an_unknown_scenario_suggests_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "run", "busy-publc-space")
    assert code == 2
    assert one_error_line(err).startswith(
        "unknown scenario 'busy-publc-space'; did you mean 'busy-public-space'?")


def test_run_failure_exits_1_with_one_line(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def stuck(self: Scenario, fake: object) -> None:
        raise ClientStuck("the client did not take in a message\n  - details")

    monkeypatch.setattr(Scenario, "run", stuck)
    code, out, err = run_main(capsys, "run", "queue-full")
    assert code == 1 and out == ""
    assert one_error_line(err) == "run failed: the client did not take in a message"


# -- validate and list ------------------------------------------------------------------------
def test_validate_reports_each_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = write(tmp_path, GOOD)
    bad = write(tmp_path, GOOD.replace('"textbox"]\noutputs', '"textbx"]\noutputs'), "bad.toml")
    code, out, err = run_main(capsys, "validate", str(good), "busy-public-space", str(bad),
                              "echo", "--scenarios", str(tmp_path))
    assert code == 2
    assert out.splitlines() == ["ok echo", "ok busy-public-space", "ok echo"]
    assert one_error_line(err) == (f"{bad}:9: endpoints[0].inputs[0]: unknown component type "
                                   f"'textbx'; did you mean 'textbox'?")


def test_validate_every_bundled_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "validate", *scenario_names())
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"ok {name}" for name in scenario_names()]


def test_list_shows_names_and_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(scenario_names())
    for name, line in zip(scenario_names(), lines, strict=True):
        assert line.startswith(name + " ")
        assert line.endswith(load_scenario(name).description)


# -- serve ------------------------------------------------------------------------------------
def test_serve_without_the_serve_module(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name: None)
    code, _, err = run_main(capsys, "serve", "busy-public-space")
    assert code == 2 and one_error_line(err) == "serve is not available yet"


def test_serve_hands_its_arguments_to_the_serve_module(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    module = SimpleNamespace(main=lambda args: seen.append(args) or 0)
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(cli.importlib, "import_module", lambda name: module)
    code, _, _ = run_main(capsys, "serve", "busy-public-space", "--port", "7860")
    assert code == 0 and seen == [["busy-public-space", "--port", "7860"]]


# -- usage ------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["list"]])
def test_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run_main(capsys, *command, "--help")
    assert code == 0 and out.startswith("usage: gradio-fake")


@pytest.mark.parametrize(("argv", "message"), [
    ([], "the following arguments are required: COMMAND (see `gradio-fake --help`)"),
    (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate'"),
    (["run"], "the following arguments are required: SCENARIO (see `gradio-fake run --help`)"),
    (["run", "queue-full", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
])
def test_usage_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                           argv: list[str], message: str) -> None:
    code, out, err = run_main(capsys, *argv)
    assert code == 2 and out == ""
    assert one_error_line(err).startswith(message)


# -- as a process -----------------------------------------------------------------------------
def gradio_fake_process(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "gradio_fake.cli", *argv], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_process_run_and_exit_codes(tmp_path: Path) -> None:
    done = gradio_fake_process("run", "busy-public-space")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("busy-public-space: ")
    assert "-> result 'A CAT IN A HAT'" in done.stdout
    differs = gradio_fake_process("run", str(write(tmp_path, GOOD.replace(
        "finished_at = 3", "finished_at = 4"))))
    assert differs.returncode == 1
    invalid = gradio_fake_process("validate", str(write(tmp_path, "x = ", "broken.toml")))
    assert invalid.returncode == 2 and invalid.stdout == ""
    assert one_error_line(invalid.stderr).startswith(
        f"{tmp_path}/broken.toml:1: invalid TOML: Invalid value at the end of the file")
