"""Test sessions: the whole suite once per supported gradio_client version.

Run everything with ``nox`` (or one version: ``nox -s "tests(client='1.14.0')"``).

Against real Gradio (docs/evidence.md), one environment per real Gradio version, each
holding gradio, the gradio_client it pins and gradio-fake:

- ``nox -s differential`` (in the default run): record each differential case on a real
  app, replay it on the fake, compare what the client observed (tests/differential);
- ``nox -s vs_real``: the speed benchmark, real app against fake, side by side
  (benchmarks/vs_real.py; one version: ``nox -s "vs_real(gradio='6.31.0')"``).
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
#: The default run (and CI): lint, the suite on every client, then the live differential
#: against every real Gradio version (about 7 minutes on 2 cores; it was green on two
#: consecutive full runs before it joined the defaults).
nox.options.sessions = ["lint", "tests", "differential"]
nox.options.error_on_missing_interpreters = True

#: Every supported gradio_client: the documented Job API (0.17, Gradio 4.32), 1.x and 2.x.
CLIENTS = ["0.17.0", "1.3.0", "1.14.0", "2.7.2"]
TEST_DEPS = ["pytest>=8", "pytest-xdist>=3", "hypothesis>=6.80", "packaging", "requests",
             "pytest-asyncio>=0.23"]
#: Real Gradio versions the fake emulates, with the pins each needs to install and launch:
#: the gradio_client it pins; for 4.x an older huggingface_hub (newer ones dropped
#: ``HfFolder``) and the fastapi of its day (with a newer starlette, ``launch()`` fails its
#: localhost check).
GRADIO_PINS = {
    "4.32.2": ["gradio==4.32.2", "gradio_client==0.17.0", "huggingface_hub<0.26",
               "fastapi==0.111.0"],
    "4.44.1": ["gradio==4.44.1", "gradio_client==1.3.0", "huggingface_hub<0.26",
               "fastapi==0.115.0"],
    "5.50.0": ["gradio==5.50.0", "gradio_client==1.14.0"],
    "6.31.0": ["gradio==6.31.0", "gradio_client==2.7.2"],
}


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy over the package, the plugin and the tests."""
    session.install("-e", ".", "ruff", "mypy", "gradio_client==2.7.2", *TEST_DEPS)
    session.run("ruff", "check", "gradio_fake", "pytest_plugin", "tests", "noxfile.py",
                "benchmarks")
    session.run("mypy")


@nox.session
@nox.parametrize("client", CLIENTS)
def tests(session: nox.Session, client: str) -> None:
    """The whole suite against one gradio_client version."""
    session.install("-e", ".", f"gradio_client=={client}", *TEST_DEPS)
    session.run("pytest", "-q", "-n", "2", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: drive a bundled scenario with the real gradio_client and print the timeline."""
    session.install("-e", ".", "gradio_client")
    session.run("gradio-fake", "run", *(session.posargs or ["busy-public-space"]))


@nox.session
@nox.parametrize("client", CLIENTS)
def bench(session: nox.Session, client: str) -> None:
    """Speed benchmarks (wall clock) against one gradio_client version."""
    session.install("-e", ".", f"gradio_client=={client}")
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session
def determinism(session: nox.Session) -> None:
    """Rerun scenarios (default 1000 times) and count diverging traces; --busy loads a core."""
    session.install("-e", ".", "gradio_client==2.7.2")
    session.run("python", "benchmarks/determinism.py", *(session.posargs or ["--runs", "1000"]))


@nox.session
@nox.parametrize("gradio", list(GRADIO_PINS))
def differential(session: nox.Session, gradio: str) -> None:
    """The fake against one real Gradio version, as its paired gradio_client sees it.

    The session's environment is also the real-Gradio environment the test launches its
    app with (``--gradio-venvs``); ``-p no:xdist`` keeps the real app's timing away from
    a second worker on a 2-core machine.
    """
    session.install("-e", ".", *GRADIO_PINS[gradio], *TEST_DEPS)
    session.run("pytest", "tests/differential", "-p", "no:xdist", "-q", "-rxXs",
                "--gradio-venvs", session.virtualenv.location, *session.posargs,
                env={"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                     "HF_HUB_DISABLE_TELEMETRY": "1"})


@nox.session
@nox.parametrize("gradio", list(GRADIO_PINS))
def vs_real(session: nox.Session, gradio: str) -> None:
    """Speed, side by side: a real Gradio app against the fake (benchmarks/vs_real.py)."""
    session.install("-e", ".", *GRADIO_PINS[gradio])
    session.run("python", "benchmarks/vs_real.py", "--gradio-venv",
                session.virtualenv.location, *(session.posargs or ["--markdown"]))
