"""Determinism check: rerun a set of scenarios many times and count diverging traces.

Each scenario drives the real gradio_client against the fake and records what the
test's thread observes — every ``job.status()`` field, ``job.outputs()`` and the
outcome, at each virtual instant — into a trace. Every run must give the same trace.

Run: ``python benchmarks/determinism.py --runs 1000`` (add ``--busy`` to keep the
other core busy with a spinning process while it runs). Exit code 1 on any divergence.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import multiprocessing
import sys
from collections.abc import Callable
from typing import Any

from gradio_fake import FakeGradio, Load
from gradio_fake._realtime import REAL

GRADIO = "4.44.1"


def snapshot(fake: FakeGradio, jobs: list[Any]) -> list[Any]:
    rows: list[Any] = [fake.clock.now]
    for job in jobs:
        status = job.status()
        progress = [(p.index, p.length, p.progress) for p in status.progress_data or []]
        rows.append([status.code.name, status.rank, status.queue_size, status.eta,
                     status.success, status.time.isoformat(), progress, status.log,
                     list(job.outputs()) if job.done() or job.outputs() else []])
    return rows


def outcome(job: Any) -> str:
    try:
        return f"result {job.result(timeout=0)!r}"
    except concurrent.futures.TimeoutError:
        return "not done"
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}"


def drive(fake: FakeGradio, jobs: list[Any], actions: dict[float, Callable[[], None]]) -> list[Any]:
    trace = [snapshot(fake, jobs)]
    while True:
        nxt = fake.next_event_time()
        due = [t for t in actions if t > fake.clock.now]
        targets = [t for t in [nxt, min(due) if due else None] if t is not None]
        if not targets:
            break
        fake.clock.run_until(min(targets))
        action = actions.pop(fake.clock.now, None)
        if action is not None:
            action()
        trace.append(snapshot(fake, jobs))
    trace.append([outcome(job) for job in jobs])
    return trace


def concurrency_progress_generators() -> list[Any]:
    with FakeGradio() as fake:
        space = fake.space("det/mixed", gradio=GRADIO, load=Load(ahead=2, duration=20))
        space.endpoint("/work", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                       duration=30, progress=[0.25, 0.5, 0.75], concurrency_limit=2,
                       logs=[(10, "info", "a third")])
        space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"],
                       yields=["a", "ab", "abc"], duration=15, concurrency_limit=2)
        client = fake.client("det/mixed")
        jobs = [client.submit("x", api_name="/work"), client.submit("y", api_name="/gen"),
                client.submit("z", api_name="/work"), client.submit("w", api_name="/gen")]
        return drive(fake, jobs, {})


def cancel_and_timeout() -> list[Any]:
    with FakeGradio() as fake:
        space = fake.space("det/cancel", gradio=GRADIO)
        space.endpoint("/slow", inputs=["textbox"], outputs=["textbox"], result="done",
                       duration=60)
        space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"],
                       yields=["1", "12", "123", "1234"], duration=40)
        first, second = fake.client("det/cancel"), fake.client("det/cancel")
        slow = first.submit("a", api_name="/slow")
        gen = second.submit("b", api_name="/gen")
        queued = second.submit("c", api_name="/gen")
        jobs = [slow, gen, queued]
        timeouts: list[str] = []

        def try_timeout() -> None:
            try:
                slow.result(timeout=5)
            except concurrent.futures.TimeoutError:
                timeouts.append(f"timeout at {fake.clock.now}")

        trace = drive(fake, jobs, {12.0: queued.cancel, 25.0: gen.cancel, 30.0: try_timeout})
        trace.append(timeouts)
        return trace


SCENARIOS: dict[str, Callable[[], list[Any]]] = {
    "concurrency 2, progress, logs, generators, load": concurrency_progress_generators,
    "cancel queued and running generator, timeout": cancel_and_timeout,
}


def digest(trace: list[Any]) -> str:
    return hashlib.sha256(json.dumps(trace, default=str).encode()).hexdigest()


def spin(stop: Any) -> None:
    while not stop.is_set():
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--busy", action="store_true", help="keep the other core busy")
    args = parser.parse_args(argv)
    stop = multiprocessing.Event()
    spinner = multiprocessing.Process(target=spin, args=(stop,), daemon=True) \
        if args.busy else None
    if spinner is not None:
        spinner.start()
    failures = 0
    try:
        for name, scenario in SCENARIOS.items():
            started = REAL.perf_counter()
            reference = scenario()
            expected = digest(reference)
            diverged = 0
            for _ in range(args.runs - 1):
                trace = scenario()
                if digest(trace) != expected:
                    diverged += 1
                    if diverged == 1:
                        print(f"  first divergence in {name!r}:\n    expected {reference}\n"
                              f"    got      {trace}", file=sys.stderr)
            elapsed = REAL.perf_counter() - started
            print(f"{name}: {args.runs} runs, {diverged} divergent, "
                  f"{elapsed / args.runs * 1e3:.1f} ms per run")
            failures += diverged
    finally:
        stop.set()
        if spinner is not None:
            spinner.join()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
