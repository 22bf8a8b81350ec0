"""Shared helpers for the test suite (run once per supported gradio_client version)."""

from __future__ import annotations

import datetime
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gradio_client
import httpx
import pytest
from gradio_client import Client
from gradio_client.client import Job
from packaging.version import Version

from gradio_fake import SUPPORTED_VERSIONS, FakeGradio

CLIENT_VERSION = Version(gradio_client.__version__)


def compatible(gradio: str) -> bool:
    """Clients before 1.14 ignore ``api_prefix``, so they cannot talk to Gradio 5+ (as for real)."""
    return not (CLIENT_VERSION < Version("1.14") and Version(gradio) >= Version("5"))


COMPATIBLE_VERSIONS = [v for v in SUPPORTED_VERSIONS if compatible(v)]


@pytest.fixture(params=COMPATIBLE_VERSIONS)
def gradio(request: pytest.FixtureRequest) -> str:
    """Each emulated Gradio version this client version can talk to."""
    return str(request.param)


@pytest.fixture
def fake() -> Iterator[FakeGradio]:
    with FakeGradio() as world:
        yield world


def _fake_temp_dirs() -> set[str]:
    # only this process's (other xdist workers and tools make their own)
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"gradio-fake-{os.getpid()}-*")}


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    """Every test leaves no thread, patch (time, datetime, httpx, gradio_client) or temp
    file of ours behind."""
    threads = set(threading.enumerate())
    real = (time.time, time.sleep, time.monotonic, datetime.datetime)
    handle = httpx.HTTPTransport.handle_request
    job_methods = {name: vars(Job).get(name) for name in ("result", "status", "__next__")}
    submit = Client.submit
    temp_dirs = _fake_temp_dirs()
    yield
    assert (time.time, time.sleep, time.monotonic, datetime.datetime) == real, \
        "time was not restored"
    assert httpx.HTTPTransport.handle_request is handle, "httpx transport was not restored"
    assert {name: vars(Job).get(name) for name in job_methods} == job_methods, \
        "gradio_client.Job was not restored"
    assert "done" not in vars(Job), "gradio_client.Job.done was not restored"
    assert Client.submit is submit, "gradio_client.Client was not restored"
    assert _fake_temp_dirs() <= temp_dirs, "temporary files were left behind"
    leaked = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
    assert not leaked, f"threads leaked: {leaked}"
