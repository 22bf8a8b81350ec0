"""Shared helpers for the test suite (run once per supported gradio_client version)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import gradio_client
import httpx
import pytest
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


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    """Every test leaves no thread, time patch or transport patch behind."""
    threads = set(threading.enumerate())
    real_time, real_sleep = time.time, time.sleep
    handle = httpx.HTTPTransport.handle_request
    yield
    assert time.time is real_time and time.sleep is real_sleep, "time was not restored"
    assert httpx.HTTPTransport.handle_request is handle, "httpx transport was not restored"
    leaked = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
    assert not leaked, f"threads leaked: {leaked}"
