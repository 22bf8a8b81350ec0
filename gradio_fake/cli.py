"""The ``gradio-fake`` command: run, validate and list scenarios (and serve them).

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
                   "serve": _serve}[args.command]
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
