"""Test sessions: the whole suite once per supported gradio_client version.

Run everything with ``nox`` (or one version: ``nox -s "tests(client='1.14.0')"``).
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests"]
nox.options.error_on_missing_interpreters = True

#: Every supported gradio_client: the documented Job API (0.17, Gradio 4.32), 1.x and 2.x.
CLIENTS = ["0.17.0", "1.3.0", "1.14.0", "2.7.2"]
TEST_DEPS = ["pytest>=8", "pytest-xdist>=3", "hypothesis>=6.80", "packaging", "requests",
             "pytest-asyncio>=0.23"]


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy over the package, the plugin and the tests."""
    session.install("-e", ".", "ruff", "mypy", "gradio_client==2.7.2", *TEST_DEPS)
    session.run("ruff", "check", "gradio_fake", "pytest_plugin", "tests", "noxfile.py")
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
