"""gradio-fake against real Gradio, side by side, in one run on one machine.

    python benchmarks/vs_real.py --gradio-venv /tmp/venv-6.31.0 [--repeat 5] [--jobs 200]

(or ``$GRADIO_FAKE_REAL_VENVS``, first entry; or no option when this interpreter can import
``gradio``). Every measure runs the real, paired ``gradio_client`` of that environment,
each side in a process of its own (the fake's process never imports gradio, like a
user's test process; the real side pays ``import gradio`` once per process, as a test
session does):

- the same user test, "start the app, Client, submit, result, close": a real app built
  and launched on 127.0.0.1 (``prevent_thread_lock``) then closed, against a
  ``FakeGradio`` context with the same endpoint; warm (in a process that has run it
  once) and fresh (a new interpreter per test: imports included);
- the fixture alone: launch + close of the real app, enter + exit of the fake;
- per-message cost: a generator of 200 yields minus an instant call, per message;
- N concurrent jobs (instant function, no concurrency limit); fewer against the real app
  when ``--real-jobs`` says so;
- the baseline for the fake's overhead: the same client against a minimal instant
  server (stdlib, in its own process, speaking just enough of the protocol), compared
  with the fake's ``Client`` + submit + result + close in an already-entered fake.

Prints medians, the ratios and the machine (``nproc``, CPU model, Python). Analytics
and telemetry are off; everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

# Real clocks, kept out of reach of the fake's module scan: inside a FakeGradio context
# time.perf_counter is virtual.
REAL = SimpleNamespace(perf_counter=time.perf_counter, process_time=time.process_time,
                       sleep=time.sleep)

ROOT = Path(__file__).resolve().parent.parent
ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
       "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
       "NO_PROXY": "127.0.0.1,localhost"}
GEN_N = 200

sys.path.insert(0, str(ROOT / "tests" / "differential"))
from realenv import overlay  # noqa: E402  (shared with the differential test)

#: Every Client made by a measure, kept alive until the child exits: gradio_client's
#: ``Client.__del__`` runs ``executor.shutdown(wait=True)`` from whatever thread the
#: garbage collector happens to run in, which can deadlock with a later ``submit``
#: (seen with gradio_client 1.3.0 after a few dozen Clients).
_KEEP: list[Any] = []


def _kept(client: Any) -> Any:
    _KEEP.append(client)
    return client


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def cpu_timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """CPU seconds of this whole process (every thread) per call."""
    out = []
    for _ in range(repeat):
        start = REAL.process_time()
        fn()
        out.append(REAL.process_time() - start)
    return out


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = REAL.perf_counter()
        fn()
        out.append(REAL.perf_counter() - start)
    return out


# -- the real side -------------------------------------------------------------------------------
def real_side(repeat: int, jobs: int) -> dict[str, Any]:
    import gradio as gr
    from gradio_client import Client

    def build() -> Any:
        with gr.Blocks() as demo:
            inp = gr.Textbox(label="text")
            out = gr.Textbox(label="result")
            button = gr.Button()
            button.click(lambda x: x, inp, out, api_name="echo")
            button.click(lambda x: x, inp, out, api_name="many", concurrency_limit=None)

            def gen(x: str) -> Any:
                for i in range(GEN_N):
                    yield str(i)

            button.click(gen, inp, out, api_name="gen")
        demo.queue()
        return demo

    def launch() -> Any:
        demo = build()
        demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True,
                    share=False)
        return demo

    def user_test() -> None:
        demo = launch()
        try:
            client = _kept(Client(demo.local_url, verbose=False))
            assert client.submit("hi", api_name="/echo").result() == "hi"
            client.close()
        finally:
            demo.close()

    def fixture() -> None:
        launch().close()

    user_test()  # warm: first launch pays one-off costs
    results: dict[str, Any] = {"user_test": timed(user_test, repeat),
                               "fixture": timed(fixture, repeat)}
    demo = launch()
    try:
        url = demo.local_url
        results["client"] = timed(lambda: _kept(Client(url, verbose=False)).close(), repeat)
        client = _kept(Client(url, verbose=False, max_workers=3 * jobs + 8))
        client.submit("warm", api_name="/echo").result()
        results["predict"] = timed(
            lambda: client.submit("x", api_name="/echo").result(), repeat * 4)
        results["gen"] = timed(lambda: client.submit("x", api_name="/gen").result(), repeat)

        # Against a real app, N concurrent joins may not all be answered within the
        # client's 5 s HTTP timeout on a small machine: halve N until they are.
        n, failures = jobs, []
        while True:
            def many(n: int = n, client: Any = client) -> None:
                submitted = [client.submit(str(i), api_name="/many") for i in range(n)]
                assert [j.result() for j in submitted] == [str(i) for i in range(n)]

            try:
                results["concurrent"] = timed(many, max(repeat // 2, 1))
                break
            except Exception as exc:
                failures.append(f"{n} jobs: {type(exc).__name__}: {exc}"[:200])
                if n <= 25:
                    results["concurrent"] = None
                    break
                n //= 2
                client.close()
                client = _kept(Client(url, verbose=False, max_workers=3 * n + 8))
        results["concurrent_jobs"] = n
        results["concurrent_failures"] = failures
        client.close()
    finally:
        demo.close()
    import gradio_client

    results["versions"] = {"gradio": gr.__version__, "gradio_client": gradio_client.__version__}
    return results


def real_fresh_once() -> None:
    """One user test in this fresh interpreter (imports included)."""
    import gradio as gr
    from gradio_client import Client

    with gr.Blocks() as demo:
        inp, out = gr.Textbox(), gr.Textbox()
        gr.Button().click(lambda x: x, inp, out, api_name="echo")
    demo.queue().launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        assert client.submit("hi", api_name="/echo").result() == "hi"
        client.close()
    finally:
        demo.close()


# -- the fake side -------------------------------------------------------------------------------
def fake_side(repeat: int, jobs: int, gradio: str) -> dict[str, Any]:
    from gradio_fake import FakeGradio

    url = "http://127.0.0.1:7860/"

    def declare(fake: Any) -> Any:
        space = fake.space(url, gradio=gradio)
        space.endpoint("/echo", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s)
        space.endpoint("/many", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s,
                       concurrency_limit=None)
        space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"], duration=1.0,
                       yields=[str(i) for i in range(GEN_N)])
        space.endpoint("/burst", inputs=["textbox"], outputs=["textbox"], duration=0.0,
                       yields=[str(i) for i in range(GEN_N)])
        return space

    def user_test() -> None:
        with FakeGradio() as fake:
            declare(fake)
            client = fake.client(url)
            assert client.submit("hi", api_name="/echo").result() == "hi"
            client.close()

    def fixture() -> None:
        with FakeGradio() as fake:
            declare(fake)

    user_test()  # the one-off freezegun scan, paid once per process
    results: dict[str, Any] = {"user_test": timed(user_test, repeat * 4),
                               "fixture": timed(fixture, repeat * 4)}
    with FakeGradio() as fake:
        declare(fake)
        results["client"] = timed(lambda: fake.client(url).close(), repeat * 4)
        results["client_submit_result_close"] = timed(
            lambda: _client_round(fake.client(url)), repeat * 4)
        client = fake.client(url, max_workers=3 * jobs + 8)
        client.submit("warm", api_name="/echo").result()
        results["predict"] = timed(
            lambda: client.submit("x", api_name="/echo").result(), repeat * 4)
        results["gen"] = timed(lambda: client.submit("x", api_name="/gen").result(), repeat)
        results["burst"] = timed(lambda: client.submit("x", api_name="/burst").result(),
                                 repeat)

        def many() -> None:
            submitted = [client.submit(str(i), api_name="/many") for i in range(jobs)]
            assert [j.result() for j in submitted] == [str(i) for i in range(jobs)]

        results["concurrent"] = timed(many, max(repeat // 2, 1))
    # The fake's overhead above the client's own cost: same shape as the baseline server.
    with FakeGradio() as fake:
        space = fake.space(url, gradio="4.44.1")
        space.endpoint("/echo", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s)
        _client_round(fake.client(url))
        results["baseline_shape"] = timed(lambda: _client_round(fake.client(url)), repeat * 4)
        results["baseline_shape_cpu"] = cpu_timed(lambda: _client_round(fake.client(url)),
                                                  repeat * 4)
    return results


def _client_round(client: Any) -> None:
    # Bounded: a lost message must fail the measure, not hang it.
    assert client.submit("hi", api_name="/echo").result(timeout=60) == "hi"
    client.close()


def fake_fresh_once(gradio: str) -> None:
    from gradio_fake import FakeGradio

    with FakeGradio() as fake:
        space = fake.space("http://127.0.0.1:7860/", gradio=gradio)
        space.endpoint("/echo", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s)
        client = fake.client("http://127.0.0.1:7860/")
        assert client.submit("hi", api_name="/echo").result() == "hi"
        client.close()


# -- the baseline: a minimal instant server ------------------------------------------------------
CONFIG = {
    "version": "4.44.1", "protocol": "sse_v3", "mode": "blocks", "connect_heartbeat": False,
    "max_file_size": None, "enable_queue": True,
    "components": [
        {"id": 1, "type": "textbox", "props": {"label": "text"}, "skip_api": False,
         "api_info": {"type": "string"}},
        {"id": 2, "type": "textbox", "props": {"label": "result"}, "skip_api": False,
         "api_info": {"type": "string"}}],
    "dependencies": [
        {"id": 0, "inputs": [1], "outputs": [2], "api_name": "echo", "backend_fn": True,
         "show_api": True, "api_visibility": "public", "queue": None, "cancels": [],
         "types": {"generator": False, "continuous": False}}],
}
INFO = {"named_endpoints": {"/echo": {
    "parameters": [{"label": "text", "parameter_name": "x", "parameter_has_default": False,
                    "parameter_default": None, "type": {"type": "string"},
                    "python_type": {"type": "str", "description": ""}, "component": "Textbox",
                    "example_input": "Hello!!"}],
    "returns": [{"label": "result", "type": {"type": "string"},
                 "python_type": {"type": "str", "description": ""}, "component": "Textbox"}],
    "show_api": True}}, "unnamed_endpoints": {}}


def serve_baseline(port_file: str) -> None:
    """A minimal instant Gradio-protocol server (sse_v3, no prefix), until stdin closes."""
    import queue
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sessions: dict[str, queue.Queue[dict[str, Any]]] = {}
    pending: dict[str, set[str]] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/config":
                self._json(CONFIG)
            elif path == "/info":
                self._json(INFO)
            elif path.startswith("/heartbeat/"):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                try:
                    while True:
                        self.wfile.write(b"data: ALIVE\n\n")
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    return
            elif path == "/queue/data":
                session = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get(
                    "session_hash", "")
                with lock:
                    box = sessions.setdefault(session, queue.Queue())
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                while True:
                    try:
                        msg = box.get(timeout=5)
                    except queue.Empty:  # nothing due: a heartbeat notices a gone client
                        try:
                            self.wfile.write(b'data: {"msg":"heartbeat","event_id":null}\n\n')
                            self.wfile.flush()
                        except OSError:
                            return
                        continue
                    self.wfile.write(b"data: " + json.dumps(msg).encode() + b"\n\n")
                    if msg["msg"] == "process_completed":
                        with lock:
                            pending[session].discard(msg["event_id"])
                            idle = not pending[session]
                        if idle:
                            self.wfile.write(b'data: {"msg":"close_stream","event_id":null}\n\n')
                            self.wfile.flush()
                            return
                    self.wfile.flush()
            else:
                self._json({"detail": "Not Found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/queue/join":
                event = uuid.uuid4().hex
                session = body["session_hash"]
                with lock:
                    box = sessions.setdefault(session, queue.Queue())
                    pending.setdefault(session, set()).add(event)
                for msg in ({"msg": "estimation", "rank": 0, "queue_size": 1, "rank_eta": None},
                            {"msg": "process_starts", "eta": None},
                            {"msg": "process_completed", "success": True,
                             "output": {"data": list(body["data"][:1]), "is_generating": False}}):
                    box.put({**msg, "event_id": event})
                self._json({"event_id": event})
            elif self.path in ("/cancel", "/reset"):
                self._json({"success": True})
            else:
                self._json({"detail": "Not Found"}, 404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Path(port_file).write_text(str(server.server_address[1]))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


def baseline_side(repeat: int, port: int) -> dict[str, Any]:
    from gradio_client import Client

    url = f"http://127.0.0.1:{port}/"
    _client_round(_kept(Client(url, verbose=False)))
    return {"client_submit_result_close": timed(
        lambda: _client_round(_kept(Client(url, verbose=False))), repeat * 4),
        "client_submit_result_close_cpu": cpu_timed(
        lambda: _client_round(_kept(Client(url, verbose=False))), repeat * 4)}


# -- orchestration -----------------------------------------------------------------------------
def _python_of(venv: str) -> str:
    path = Path(venv)
    candidate = path / "bin" / "python"
    return str(candidate) if path.is_dir() else venv


def _child(python: str, env: dict[str, str], *args: str, timeout: float = 900) -> Any:
    done = subprocess.run([python, __file__, "--child", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh(python: str, env: dict[str, str], code: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([python, "-c", code], env=env, check=True, capture_output=True,
                       timeout=300)
        samples.append(time.perf_counter() - start)
    return samples


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


class LoadSampler:
    """Samples the 1-minute load average every ``every`` seconds while the benchmark runs,
    so the table can say how busy the machine was *during* the run, not just before."""

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            try:
                self.samples.append(os.getloadavg()[0])
            except OSError:
                return
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "?"
        return (f"min {min(self.samples):.2f}, median {statistics.median(self.samples):.2f}, "
                f"max {max(self.samples):.2f} ({len(self.samples)} samples)")


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": model, "os": platform.platform()}


def orchestrate(args: argparse.Namespace) -> int:
    venv = args.gradio_venv or (os.environ.get("GRADIO_FAKE_REAL_VENVS", "").replace(
        os.pathsep, ",").split(",")[0] or None)
    python = _python_of(venv) if venv else sys.executable
    load_before = _load()
    started = time.perf_counter()
    with LoadSampler() as sampler:
        measured = _measure(args, python)
    if measured is None:
        return 2
    real, fake, base, fresh_real, fresh_fake, gradio, client, py, emulated = measured
    jobs, real_jobs = args.jobs, args.real_jobs or args.jobs
    rows = _rows(real, fake, base, fresh_real, fresh_fake, jobs, real_jobs)
    info = machine()
    info["load"] = f"{load_before} before, {_load()} after (1, 5, 15 min)"
    info["load_during"] = sampler.summary()
    info["seconds"] = f"{time.perf_counter() - started:.0f}"
    print(f"\nMachine: {info['nproc']} CPUs ({info['cpu']}), {info['os']}, Python {py}; "
          f"load average {info['load']}; 1-minute load average during the run: "
          f"{info['load_during']}; the run took {info['seconds']} s; real Gradio {gradio} "
          f"with gradio_client {client}; the fake emulates {emulated}.")
    _print(rows, args.markdown)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "python": py, "gradio": gradio,
                                               "client": client, "rows": rows,
                                               "raw": {"real": real, "fake": fake,
                                                       "baseline": base}}, indent=1))
    return 0


def _measure(args: argparse.Namespace, python: str) -> tuple[Any, ...] | None:
    """Every measure, each side in its own process; None when there is no real Gradio."""
    with tempfile.TemporaryDirectory(prefix="gradio-fake-vs-real-") as tmp:
        env = {**os.environ, **ENV,
               "PYTHONPATH": os.pathsep.join([str(ROOT), str(overlay(Path(tmp)))])}
        probe = subprocess.run([python, "-c", "import gradio, gradio_client, sys; print(gradio."
                                "__version__, gradio_client.__version__, sys.version.split()[0])"],
                               env=env, capture_output=True, text=True, timeout=120)
        if probe.returncode != 0:
            print(f"no real Gradio in {python}: pass --gradio-venv (see --help)", file=sys.stderr)
            return None
        gradio, client, py = probe.stdout.split()
        emulated = _emulated(gradio)
        r, jobs, real_jobs = args.repeat, args.jobs, args.real_jobs or args.jobs
        print(f"real Gradio {gradio} + gradio_client {client}, Python {py}; fake emulates "
              f"{emulated}; repeat {r}", file=sys.stderr)
        real = _child(python, env, "real", str(r), str(real_jobs))
        fake = _child(python, env, "fake", str(r), str(jobs), emulated)
        port_file = Path(tmp) / "port"
        server = subprocess.Popen([python, __file__, "--child", "server", str(port_file)],
                                  env=env, stdin=subprocess.PIPE, text=True)
        try:
            for _ in range(200):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            base = _child(python, env, "baseline", str(r), port_file.read_text())
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(30)
        header = f"import sys; sys.argv=['x']; sys.path.insert(0, {str(ROOT / 'benchmarks')!r})"
        fresh_real = _fresh(python, env, f"{header}; import vs_real; vs_real.real_fresh_once()",
                            args.fresh)
        fresh_fake = _fresh(python, env, f"{header}; import vs_real; "
                                         f"vs_real.fake_fresh_once({emulated!r})", args.fresh)
    return real, fake, base, fresh_real, fresh_fake, gradio, client, py, emulated


def _emulated(version: str) -> str:
    sys.path.insert(0, str(ROOT))
    from gradio_fake._record import closest_version

    return closest_version(version)


def _rows(real: dict[str, Any], fake: dict[str, Any], base: dict[str, Any],
          fresh_real: list[float], fresh_fake: list[float], jobs: int,
          real_jobs: int) -> list[dict[str, Any]]:
    def row(name: str, r: float | None, f: float, note: str = "") -> dict[str, Any]:
        return {"measure": name, "real_ms": r, "fake_ms": f,
                "ratio": None if r is None or f == 0 else r / f, "note": note}

    per_real = (median_ms(real["gen"]) - median_ms(real["predict"])) / GEN_N
    per_fake = (median_ms(fake["gen"]) - median_ms(fake["predict"])) / GEN_N
    per_burst = (median_ms(fake["burst"]) - median_ms(fake["predict"])) / GEN_N
    cpu_base = median_ms(base["client_submit_result_close_cpu"])
    cpu_fake = median_ms(fake["baseline_shape_cpu"])
    real_jobs = real.get("concurrent_jobs", real_jobs)
    conc_note = "" if real_jobs == jobs else (
        f"real: {real_jobs} jobs, time scaled x{jobs / real_jobs:g}"
        + ("; " + "; ".join(real.get("concurrent_failures", [])) if real.get(
            "concurrent_failures") else ""))
    real_conc = None if real["concurrent"] is None else \
        median_ms(real["concurrent"]) * jobs / real_jobs
    fake_base = median_ms(fake["baseline_shape"])
    client_base = median_ms(base["client_submit_result_close"])
    return [
        row("user test, warm process: start app, Client, submit, result, close",
            median_ms(real["user_test"]), median_ms(fake["user_test"])),
        row("user test, fresh interpreter (imports included)", median_ms(fresh_real),
            median_ms(fresh_fake)),
        row("fixture: launch + close app / enter + exit fake", median_ms(real["fixture"]),
            median_ms(fake["fixture"])),
        row("Client(url) + close", median_ms(real["client"]), median_ms(fake["client"])),
        row("submit + result, instant function (warm client)", median_ms(real["predict"]),
            median_ms(fake["predict"])),
        row("per message: generator of 200 yields (fake: one yield per virtual instant)",
            per_real, per_fake),
        row("per message: the same, all 200 yields at one virtual instant", per_real,
            per_burst),
        row(f"{jobs} concurrent jobs, instant function", real_conc,
            median_ms(fake["concurrent"]), conc_note),
        row("client against a minimal instant server: Client+submit+result+close "
            "(baseline) vs the same on the fake", client_base, fake_base,
            f"fake overhead {100 * (fake_base / client_base - 1):+.0f}% vs baseline "
            f"(goal <= +25%)"),
        row("the same, CPU time of the client's process (the fake's includes its server)",
            cpu_base, cpu_fake, f"fake overhead {100 * (cpu_fake / cpu_base - 1):+.0f}% vs "
                                f"baseline"),
    ]


def _print(rows: list[dict[str, Any]], markdown: bool) -> None:
    def ms(v: float | None) -> str:
        return "-" if v is None else (f"{v:.3f} ms" if v < 1 else f"{v:,.1f} ms")

    if markdown:
        print("| measure | real Gradio | fake | real / fake | note |")
        print("|---|---:|---:|---:|---|")
        for r in rows:
            ratio = "-" if r["ratio"] is None else f"{r['ratio']:,.0f}x" if r["ratio"] >= 10 \
                else f"{r['ratio']:.2f}x"
            print(f"| {r['measure']} | {ms(r['real_ms'])} | {ms(r['fake_ms'])} | {ratio} | "
                  f"{r['note']} |")
        return
    print(f"{'measure':<72} {'real':>12} {'fake':>12} {'real/fake':>10}")
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:,.1f}x"
        print(f"{r['measure'][:72]:<72} {ms(r['real_ms']):>12} {ms(r['fake_ms']):>12} "
              f"{ratio:>10}  {r['note']}")


def child(argv: list[str]) -> int:
    for key, value in ENV.items():
        os.environ.setdefault(key, value)
    kind = argv[0]
    if kind == "server":
        serve_baseline(argv[1])
        return 0
    if kind == "real":
        out = real_side(int(argv[1]), int(argv[2]))
    elif kind == "fake":
        out = fake_side(int(argv[1]), int(argv[2]), argv[3])
    elif kind == "baseline":
        out = baseline_side(int(argv[1]), int(argv[2]))
    else:
        raise SystemExit(f"unknown child {kind}")
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)  # client threads of a real app can outlive it; the numbers are out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gradio-venv", help="a virtualenv (or python) with gradio and its "
                                              "paired gradio_client")
    parser.add_argument("--repeat", type=int, default=5, help="samples per real measure "
                                                              "(the fake takes 4x)")
    parser.add_argument("--fresh", type=int, default=3, help="fresh-interpreter samples")
    parser.add_argument("--jobs", type=int, default=200, help="concurrent jobs")
    parser.add_argument("--real-jobs", type=int, help="concurrent jobs against the real app "
                                                      "(default: --jobs); scaled in the table")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--json", metavar="FILE", help="also write the raw samples as JSON")
    return orchestrate(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
