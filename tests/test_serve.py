"""Serve mode: the real client in another process talks to the fake over loopback HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from gradio_fake import FakeGradio
from gradio_fake.cli import main

CLIENT_SCRIPT = textwrap.dedent("""
    import sys
    from gradio_client import Client
    client = Client(sys.argv[1], verbose=False)
    print(client.predict("hi", api_name="/predict"))
    job = client.submit("yo", api_name="/predict")
    print(job.result(), job.status().code.name)
    client.close()
""")


def run_client(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1"}
    return subprocess.run([sys.executable, "-c", CLIENT_SCRIPT, *args], capture_output=True,
                          text=True, timeout=120, env=env, check=False)


def test_real_client_in_a_subprocess() -> None:
    with FakeGradio() as fake:
        space = fake.space("acme/echo", gradio="4.44.1")
        space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                       fn=lambda s: f"echo:{s}", duration=30, progress=[0.5])
        server = fake.serve(rate=200)  # 30 virtual seconds in about 0.15 real ones
        assert server.url.startswith("http://127.0.0.1:")
        done = run_client(server.url)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["echo:hi", "echo:yo", "FINISHED"]
        joins = [r for r in fake.requests if r.path.endswith("/queue/join")]
        assert len(joins) == 2
        assert fake.clock.now >= 60


def test_space_id_through_the_hub_routes() -> None:
    with FakeGradio() as fake:
        space = fake.space("acme/echo", gradio="4.44.1")
        space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper)
        server = fake.serve(rate=100)
        env = {**os.environ, "HF_ENDPOINT": server.base, "HF_HUB_DISABLE_TELEMETRY": "1"}
        done = subprocess.run([sys.executable, "-c", CLIENT_SCRIPT, "acme/echo"],
                              capture_output=True, text=True, timeout=120, env=env,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["HI", "YO", "FINISHED"]


def test_refuses_non_loopback() -> None:
    with FakeGradio() as fake:
        fake.space("acme/x").endpoint("/p", inputs=["textbox"], outputs=["textbox"])
        with pytest.raises(ValueError, match="not a loopback address"):
            fake.serve("0.0.0.0")


def test_cli_serve_refuses_non_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "streaming-generator", "--host", "0.0.0.0"]) == 2
    assert "not a loopback address" in capsys.readouterr().err


def test_cli_serve_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "streaming-generator", "--port", str(port),
                     "--seconds", "0"]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
