"""Speed of gradio-fake with the real gradio_client, in real (wall-clock) time.

Run: ``python3 -m nox -s bench`` (every client version) or ``python benchmarks/bench.py``
with gradio-fake and a gradio_client installed. Prints one table row per measure:
median and spread over repeats, and the goal it is held to (issue #3). The goals are
on wall-clock time; the ``cpu`` column (the process's CPU time, every thread) is shown
beside it because it moves much less when other processes compete for the cores: on a
loaded machine, compare that column between runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import gradio_client

from gradio_fake import FakeGradio, Load
from gradio_fake._realtime import REAL  # real clocks: time.perf_counter is virtual in a fake

GRADIO = "4.44.1"  # every client version can talk to it


#: CPU seconds of the last samples taken by :func:`timed`, per sample.
CPU: list[float] = []


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn`` (their CPU seconds go to ``CPU``)."""
    samples = []
    CPU.clear()
    for _ in range(repeat):
        cpu = time.process_time()
        start = REAL.perf_counter()
        fn()
        samples.append(REAL.perf_counter() - start)
        CPU.append(time.process_time() - cpu)
    return samples


def hour_long_queue() -> None:
    """A 1-hour queue wait, then 100 progress updates and 50 yields, observed to the end."""
    with FakeGradio() as fake:
        space = fake.space("bench/hour", gradio=GRADIO, load=Load(ahead=60, duration=60))
        space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"], duration=600,
                       progress=[i / 100 for i in range(100)],
                       yields=[f"part {i}" for i in range(50)])
        job = fake.client("bench/hour").submit("x", api_name="/gen")
        outputs = list(job)
        assert len(outputs) == 50 and job.result() == "part 49"
        assert fake.clock.now == 3600 + 600


def timeout_on_ten_minutes() -> Callable[[], None]:
    fake = FakeGradio()
    fake.__enter__()
    space = fake.space("bench/slow", gradio=GRADIO)
    space.endpoint("/slow", inputs=["textbox"], outputs=["textbox"], result="x", duration=600)
    client = fake.client("bench/slow")
    jobs = iter([client.submit("x", api_name="/slow") for _ in range(1)])
    job = next(jobs)

    def once() -> None:
        try:
            job.result(timeout=5)
        except TimeoutError:
            return
        raise AssertionError("the job should not be done")

    once.close = lambda: fake.__exit__(None, None, None)  # type: ignore[attr-defined]
    return once


def concurrent_jobs(n: int = 200, limit: int = 4) -> None:
    with FakeGradio() as fake:
        space = fake.space("bench/many", gradio=GRADIO)
        space.endpoint("/job", inputs=["number"], outputs=["number"], fn=lambda x: x,
                       duration=10, concurrency_limit=limit)
        client = fake.client("bench/many", max_workers=3 * n + 8)
        jobs = [client.submit(i, api_name="/job") for i in range(n)]
        assert [job.result() for job in jobs] == list(range(n))
        assert fake.clock.now == math.ceil(n / limit) * 10


def messages(n: int) -> None:
    with FakeGradio() as fake:
        space = fake.space("bench/msgs", gradio=GRADIO)
        space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"], duration=n,
                       yields=[str(i) for i in range(n)])
        job = fake.client("bench/msgs").submit("x", api_name="/gen")
        assert job.result() == str(n - 1)


def warm_predict() -> tuple[Callable[[], None], Callable[[], None]]:
    fake = FakeGradio()
    fake.__enter__()
    space = fake.space("bench/echo", gradio=GRADIO)
    space.endpoint("/echo", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s)
    client = fake.client("bench/echo")
    client.predict("warm", api_name="/echo")

    def once() -> None:
        assert client.predict("x", api_name="/echo") == "x"

    return once, lambda: fake.__exit__(None, None, None)


def fake_space_client_close() -> None:
    with FakeGradio() as fake:
        space = fake.space("bench/min", gradio=GRADIO)
        space.endpoint("/echo", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s)
        fake.client("bench/min").close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15, help="samples per measure")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    r = args.repeat
    fake_space_client_close()  # pay the one-off costs (imports, the first time scan) first
    rows: list[tuple[str, list[float], list[float], float]] = []

    def measure(name: str, samples: list[float], goal: float) -> None:
        rows.append((name, samples, list(CPU), goal))

    measure("1 h queue + 100 progress + 50 yields, to the end", timed(hour_long_queue, r), 0.100)
    once = timeout_on_ten_minutes()
    measure("result(timeout=5) on a 10-minute job", timed(once, r * 4), 0.010)
    once.close()  # type: ignore[attr-defined]
    measure("200 concurrent jobs at concurrency_limit 4",
            timed(concurrent_jobs, max(r // 5, 3)), 2.0)
    base = timed(lambda: messages(1), r)
    base_cpu = statistics.median(CPU)
    many = timed(lambda: messages(500), max(r // 3, 3))
    rows.append(("per-message overhead (500 yields)",
                 [(m - statistics.median(base)) / 499 for m in many],
                 [(c - base_cpu) / 499 for c in CPU], 0.0002))
    predict, close = warm_predict()
    measure("warm predict", timed(predict, r * 4), 0.005)
    close()
    measure("FakeGradio + space + Client + close", timed(fake_space_client_close, r * 2), 0.010)

    report = [{"measure": name, "median_ms": statistics.median(s) * 1e3,
               "min_ms": min(s) * 1e3, "max_ms": max(s) * 1e3,
               "cpu_ms": statistics.median(cpu) * 1e3, "goal_ms": goal * 1e3,
               "met": statistics.median(s) <= goal}
              for name, s, cpu, goal in rows]
    if args.json:
        print(json.dumps({"gradio_client": gradio_client.__version__, "results": report}))
    else:
        print(f"gradio_client {gradio_client.__version__}, emulated Gradio {GRADIO}, "
              f"Python {sys.version.split()[0]}")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on "
              f"{os.cpu_count()} cores")
        print(f"{'measure':<52} {'median':>10} {'min':>9} {'max':>9} {'cpu':>9} {'goal':>9}  met")
        for row in report:
            print(f"{row['measure']:<52} {row['median_ms']:>8.2f}ms {row['min_ms']:>7.2f}ms "
                  f"{row['max_ms']:>7.2f}ms {row['cpu_ms']:>7.2f}ms {row['goal_ms']:>7.2f}ms  "
                  f"{'yes' if row['met'] else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
