"""Shared helpers for the test suite (run once per supported gradio_client version)."""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gradio_client.utils
import httpx
import pytest
from gradio_client import Client
from gradio_client.client import Job
from support import CLIENT_VERSION, COMPATIBLE_VERSIONS, compatible

from gradio_fake import FakeGradio

__all__ = ["CLIENT_VERSION", "COMPATIBLE_VERSIONS", "compatible"]

# tests/differential holds the tests against real Gradio: run them explicitly
# (docs/evidence.md); the default run does not collect them.
if not any("differential" in arg for arg in sys.argv):
    collect_ignore = ["differential"]



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
    check_for_cancel = gradio_client.utils.check_for_cancel
    temp_dirs = _fake_temp_dirs()
    yield
    assert (time.time, time.sleep, time.monotonic, datetime.datetime) == real, \
        "time was not restored"
    assert httpx.HTTPTransport.handle_request is handle, "httpx transport was not restored"
    assert {name: vars(Job).get(name) for name in job_methods} == job_methods, \
        "gradio_client.Job was not restored"
    assert "done" not in vars(Job), "gradio_client.Job.done was not restored"
    assert Client.submit is submit, "gradio_client.Client was not restored"
    assert gradio_client.utils.check_for_cancel is check_for_cancel, \
        "gradio_client.utils.check_for_cancel was not restored"
    assert _fake_temp_dirs() <= temp_dirs, "temporary files were left behind"
    leaked = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
    assert not leaked, f"threads leaked: {leaked}"
