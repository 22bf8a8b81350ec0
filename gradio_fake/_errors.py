"""Exceptions raised by gradio-fake itself (never by the emulated server)."""

from __future__ import annotations

__all__ = [
    "ClientStuck",
    "GradioFakeError",
    "NeverEndingWait",
    "ScenarioError",
    "StrictModeError",
    "UnservedRequest",
]


class GradioFakeError(Exception):
    """Base class of every error gradio-fake raises on its own behalf."""


class NeverEndingWait(GradioFakeError):
    """A blocking call waited on a job that nothing scheduled will ever finish.

    Raised instead of hanging: the message names the job, its endpoint and the
    timeline so far, and the quirk of the emulated Gradio version if one is the cause.
    """


class ClientStuck(GradioFakeError):
    """The real client did not take in what the fake delivered within the watchdog bound.

    The message says which message or request the client did not take and which
    of its threads is stuck (for instance a thread pool too small for the jobs in
    flight, see gradio_client's shared executor).
    """


class UnservedRequest(GradioFakeError):
    """A request went to a URL that no fake Space or Hub emulation serves."""


class ScenarioError(GradioFakeError, ValueError):
    """A scenario (file or Python builder) is invalid; the message says where and why."""


class StrictModeError(GradioFakeError, AssertionError):
    """A strict fake (``FakeGradio(strict=True)``) was left with problems: a scripted call
    never made, a request no fake served, or one the fake failed on. An ``AssertionError``,
    so pytest reports it as a failed check; the message lists every problem."""
