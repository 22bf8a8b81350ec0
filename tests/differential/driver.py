"""Differential driver, run by a real-gradio venv's python (see test_differential.py).

    python driver.py OUT.json [CASE ...]

Launches ``real_app.py`` with this interpreter on 127.0.0.1, and for each case: records
it with the real gradio_client (``gradio_fake._record.record``), writes the scenario,
replays the scenario on the fake with the same client, and compares what the client
observed. Writes one JSON document to OUT.json, then stops the app. Needs gradio_fake
importable (the test puts the repository and an overlay of its pure-Python
dependencies on PYTHONPATH).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

for name, value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                    ("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1"),
                    ("NO_PROXY", "127.0.0.1,localhost")):
    os.environ.setdefault(name, value)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES, not_happened  # noqa: E402

from gradio_fake._record import compare, parse_call_spec, record, replay  # noqa: E402

LAUNCH_TIMEOUT = 120.0


def launch() -> tuple[subprocess.Popen[str], dict[str, str]]:
    app = subprocess.Popen([sys.executable, str(HERE / "real_app.py")], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           start_new_session=True)
    deadline = time.monotonic() + LAUNCH_TIMEOUT
    assert app.stdout is not None
    line = ""
    while time.monotonic() < deadline and app.poll() is None:
        line = app.stdout.readline()
        if line.startswith("READY"):
            break
    if not line.startswith("READY"):
        stop(app)
        raise RuntimeError(f"the real app did not start within {LAUNCH_TIMEOUT:g} s")
    main, tight = line.split()[1:3]
    return app, {"main": f"http://127.0.0.1:{main}/", "tight": f"http://127.0.0.1:{tight}/"}


def stop(app: subprocess.Popen[str]) -> None:
    if app.stdin is not None:
        app.stdin.close()  # real_app.py returns when its stdin closes
    try:
        app.wait(15)
    except subprocess.TimeoutExpired:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(10)


ATTEMPTS = 3


def run_case(name: str, url: str, specs: list[dict[str, Any]], folder: Path) -> dict[str, Any]:
    started = time.monotonic()
    missed = []
    for _ in range(ATTEMPTS):  # real timings vary with load: record until the case happens
        real = record(url, [parse_call_spec(s) for s in specs], timeout=20.0)
        reason = not_happened(name, real.to_dict())
        if reason is None:
            break
        missed.append(reason)
    recorded = time.monotonic() - started
    scenario = real.to_scenario(name=name)
    path = folder / f"{name}.toml"
    path.write_text(scenario, encoding="utf-8")
    started = time.monotonic()
    fake = replay(path)
    replayed = time.monotonic() - started
    return {"case": name, "scenario": scenario, "real": real.to_dict(), "fake": fake.to_dict(),
            "differences": [d.__dict__ for d in compare(real, fake)],
            "seconds": {"record": recorded, "replay": replayed}, "missed": missed}


def main() -> None:
    out = Path(sys.argv[1])
    wanted = sys.argv[2:] or list(CASES)
    import gradio_client

    results: dict[str, Any] = {"python": sys.version.split()[0],
                               "client": gradio_client.__version__, "cases": []}
    started = time.monotonic()
    app, urls = launch()
    results["launch_seconds"] = time.monotonic() - started
    try:
        with tempfile.TemporaryDirectory(prefix="gradio-fake-diff-") as tmp:
            for name in wanted:
                app_name, specs, _ = CASES[name]
                try:
                    results["cases"].append(run_case(name, urls[app_name], specs, Path(tmp)))
                except Exception:  # reported per case; the others still run
                    results["cases"].append({"case": name, "error": traceback.format_exc()})
    finally:
        stop(app)
    import gradio

    results["gradio"] = gradio.__version__
    out.write_text(json.dumps(results, indent=1, default=repr), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    # A real app can leave a client job that never ends (6.31 drops a running job whose
    # session cancelled another): its non-daemon threads would keep us alive forever.
    os._exit(0)


if __name__ == "__main__":
    main()
