"""The ``gradio-fake`` command: run, validate and list scenarios (serve them, record them).

Exit status: 0 when all is well; 1 when a run's outcome differs from the scenario's
``[expect]`` or the run itself failed; 2 for a usage error or an invalid scenario.
Errors are one line on stderr: ``gradio-fake: error: ...``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

__all__ = ["main"]

PROG = "gradio-fake"
OK, DIFFERS, USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and do not exit (main() reports them)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see `{self.prog} --help`)")


def _fail(message: str) -> None:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"{PROG}: error: {first}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A fake Gradio queue server on a virtual clock: drive scenario files with "
                    "the real gradio_client and see what it observes.",
        epilog="Exit status: 0 ok, 1 a run differs from its [expect] or failed, "
               "2 usage error or invalid scenario.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    run = commands.add_parser(
        "run", help="drive a scenario with the real client and print the observed timeline",
        description="Declare the scenario's Space on a fake, submit its calls with the real "
                    "gradio_client, drive each to its end in virtual time and print what "
                    "job.status() showed, instant by instant, then each call's outcome.")
    run.add_argument("scenario", metavar="SCENARIO",
                     help="a bundled scenario name (see `gradio-fake list`) or a .toml file")
    run.add_argument("--gradio", metavar="VERSION",
                     help="emulate this Gradio version instead of the scenario's")
    run.add_argument("--seed", type=int, metavar="N", help="seed instead of the scenario's")
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    run.add_argument("--scenarios", action="append", default=[], metavar="DIR",
                     help="look for bare scenario names in DIR first (repeatable)")

    validate = commands.add_parser(
        "validate", help="check scenario files",
        description="Check each scenario; print 'ok NAME', or the error with file, line and "
                    "key path.")
    validate.add_argument("names", nargs="+", metavar="SCENARIO",
                          help="bundled scenario names or .toml files")
    validate.add_argument("--scenarios", action="append", default=[], metavar="DIR",
                          help="look for bare scenario names in DIR first (repeatable)")

    commands.add_parser("list", help="list the bundled scenarios",
                        description="Print each bundled scenario's name and description.")

    record = commands.add_parser(
        "record", help="record a real Gradio app into a scenario file",
        description="Connect the real gradio_client to a running Gradio app (4.32-6.31), run "
                    "the calls you name, observe every message and status with timestamps, "
                    "and write a scenario that replays the same client-observed behaviour on "
                    "the fake. Event ids, session hashes, temp paths and timestamps are "
                    "normalised.",
        epilog="CALL: '/predict' (no arguments), '/predict=[\"hi\", 3]' (a JSON array of "
               "arguments) or a JSON object with api_name, args, kwargs, count (how many at "
               "once), at (seconds), cancel_after (messages), cancel_at (seconds after the "
               "submit), timeout (seconds), id. Exit status: 0 ok, 1 the app could not be "
               "recorded or --check found differences, 2 usage error.")
    record.add_argument("url", metavar="URL", help="the running app, e.g. http://127.0.0.1:7860/")
    record.add_argument("--call", action="append", default=[], metavar="CALL",
                        help="a call to make while recording (repeatable; see below)")
    record.add_argument("--calls", metavar="FILE",
                        help="more calls: a JSON array of CALL objects, or a TOML file of "
                             "[[calls]] tables with the same keys")
    record.add_argument("-o", "--output", metavar="FILE",
                        help="write the scenario here (default: standard output)")
    record.add_argument("--json", metavar="FILE", help="also write the raw recording as JSON")
    record.add_argument("--python", metavar="FILE",
                        help="also write a Python replay (exact per-message timelines with "
                             "script= where the recorded calls allow it)")
    record.add_argument("--exact", action="store_true",
                        help="give each call that allows it its own script: its recorded "
                             "messages at their recorded times, instead of the queue model")
    record.add_argument("--name", help="the scenario's name")
    record.add_argument("--description", help="the scenario's one-line description")
    record.add_argument("--timeout", type=float, default=60.0, metavar="S",
                        help="stop waiting for a call after S seconds (default 60)")
    record.add_argument("--concurrency", action="append", default=[], metavar="API=N",
                        help="the concurrency_limit of an endpoint ('none': unlimited), when "
                             "the recorded calls cannot show it (repeatable)")
    record.add_argument("--check", action="store_true",
                        help="replay the scenario on the fake and list how the client's "
                             "observations differ from the real app's")

    serve = commands.add_parser(
        "serve", help="serve a scenario on a loopback HTTP server",
        description="Serve a scenario's Space on a real loopback HTTP server.", add_help=False)
    serve.add_argument("args", nargs=argparse.REMAINDER, help="arguments of serve")
    return parser


def _run(args: argparse.Namespace) -> int:
    from . import FakeGradio, GradioFakeError
    from ._scenario import load_scenario

    overrides: dict[str, Any] = {}
    if args.gradio is not None:
        overrides["gradio"] = args.gradio
    if args.seed is not None:
        overrides["seed"] = args.seed
    scenario = load_scenario(args.scenario, args.scenarios, **overrides)
    try:
        with FakeGradio(seed=scenario.seed) as fake:
            report = scenario.run(fake)
    except GradioFakeError as exc:
        _fail(f"run failed: {exc}")
        return DIFFERS
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=repr))
    else:
        print(report.render())
    return DIFFERS if report.matches_expectations() else OK


def _validate(args: argparse.Namespace) -> int:
    from ._errors import ScenarioError
    from ._scenario import load_scenario

    status = OK
    for name in args.names:
        try:
            scenario = load_scenario(name, args.scenarios)
        except ScenarioError as exc:
            _fail(str(exc))
            status = USAGE
        else:
            print(f"ok {scenario.name}")
    return status


def _list(args: argparse.Namespace) -> int:
    from ._errors import ScenarioError
    from ._scenario import load_scenario, scenario_names

    names = scenario_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        try:
            description = load_scenario(name).description
        except ScenarioError as exc:
            description = f"(invalid: {exc})"
        print(f"{name:<{width}}  {description}")
    return OK


def _record(args: argparse.Namespace) -> int:
    from ._record import parse_call_spec

    specs = []
    try:
        specs += [parse_call_spec(text) for text in args.call]
        if args.calls:
            specs += [parse_call_spec(entry) for entry in _calls_file(args.calls)]
        concurrency = dict(_limit(text) for text in args.concurrency)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    if args.timeout <= 0:
        raise _UsageError(f"--timeout must be > 0 seconds, not {args.timeout:g}")
    from ._record import compare, record, replay

    try:
        recording = record(args.url, specs, timeout=args.timeout)
    except Exception as exc:  # connection refused, not a Gradio app, ...
        _fail(f"cannot record {args.url}: {type(exc).__name__}: {exc}")
        return DIFFERS
    scenario = recording.to_scenario(name=args.name, description=args.description,
                                     concurrency=concurrency, exact=args.exact)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(scenario)
    else:
        print(scenario, end="")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(recording.to_json())
    if args.python:
        with open(args.python, "w", encoding="utf-8") as out:
            out.write(recording.to_python(concurrency=concurrency))
    summary = ", ".join(f"{c.id} {c.outcome}" for c in recording.calls) or "no calls"
    print(f"recorded {recording.url} (Gradio {recording.gradio}, gradio_client "
          f"{recording.client}): {summary}", file=sys.stderr)
    if not args.check:
        return OK
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="gradio-fake-record-") as tmp:
        path = Path(args.output) if args.output else Path(tmp) / "recorded.toml"
        if not args.output:
            path.write_text(scenario, encoding="utf-8")
        differences = compare(recording, replay(path))
    unexplained = [d for d in differences if not d.known]
    for difference in differences:
        print(f"{'known' if difference.known else 'DIFFERS'}: {difference}", file=sys.stderr)
    print(f"check: the fake replays what the client observed"
          f"{' exactly' if not differences else ''}; {len(unexplained)} unexplained "
          f"difference(s), {len(differences) - len(unexplained)} known", file=sys.stderr)
    return DIFFERS if unexplained else OK


def _calls_file(path: str) -> list[Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ValueError(f"--calls {path}: {exc.strerror or exc}") from None
    if path.endswith(".toml"):
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

        try:
            data: Any = tomllib.loads(raw.decode("utf-8")).get("calls", [])
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"--calls {path}: invalid TOML: {exc}") from None
    else:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"--calls {path}: invalid JSON: {exc}") from None
    if not isinstance(data, list):
        raise ValueError(f"--calls {path}: expected a list of calls")
    return data


def _limit(text: str) -> tuple[str, int | None]:
    api, sep, value = text.partition("=")
    if not sep or not api.strip("/"):
        raise ValueError(f"--concurrency {text!r}: expected API=N, e.g. /predict=2")
    if value.strip().lower() == "none":
        return "/" + api.strip("/"), None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValueError(f"--concurrency {text!r}: N must be an integer >= 1 or 'none'")
    return "/" + api.strip("/"), limit


def _serve(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("gradio_fake._serve") is None:
        _fail("serve is not available yet")
        return USAGE
    serve = importlib.import_module("gradio_fake._serve")
    return int(serve.main(list(args.args)))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    from ._errors import ScenarioError

    try:
        args = _parser().parse_args(argv)
        handler = {"run": _run, "validate": _validate, "list": _list,
                   "serve": _serve, "record": _record}[args.command]
        return handler(args)
    except _UsageError as exc:
        _fail(str(exc))
        return USAGE
    except ScenarioError as exc:
        _fail(str(exc))
        return USAGE
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
