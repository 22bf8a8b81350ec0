"""Retry wrappers around ``gradio_client``, as users write them: a naive one, and a fixed one.

``NaiveRetryClient`` is deliberately wrong, in the way such wrappers usually are:
``result()`` retries on *any* exception. That includes

- ``TimeoutError`` from ``result(timeout=...)``: the job is still queued or running
  on the server, and the retry submits it again, so the server now does the work
  twice (and the first job's result is thrown away);
- ``CancelledError`` after the user cancelled: the retry quietly undoes the cancel
  and hands back a result nobody wanted any more.

``RetryClient`` retries only when the server refused the join (queue full, an
HTTP error on ``queue/join``): then no job exists on the server, and submitting
again is safe. A timeout leaves the job alone (waiting again waits for the same
job), and a cancel stands.

tests/test_retry_wrapper_machine.py lets ``GradioQueueMachine`` find the bugs.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import httpx
from gradio_client.utils import QueueError

_TIMEOUTS = (TimeoutError, concurrent.futures.TimeoutError)  # one class from Python 3.11


class NaiveRetryCall:
    """One call through :class:`NaiveRetryClient` (wraps a ``gradio_client.Job``)."""

    def __init__(self, client: Any, args: tuple[Any, ...], api_name: str, retries: int) -> None:
        self.client, self.args, self.api_name, self.retries = client, args, api_name, retries
        self.job = client.submit(*args, api_name=api_name)

    def result(self, timeout: float | None = None) -> Any:
        attempt = 0
        while True:
            try:
                return self.job.result(timeout=timeout)
            except Exception:  # the bug: timeouts and cancels are "failures" too
                if attempt >= self.retries:
                    raise
                attempt += 1
                self.job = self.client.submit(*self.args, api_name=self.api_name)

    def cancel(self) -> bool:
        return bool(self.job.cancel())

    def done(self) -> bool:
        return bool(self.job.done())


class NaiveRetryClient:
    """``submit``/``predict`` that retry failed calls up to ``retries`` times (naively)."""

    call_class: type[Any] = NaiveRetryCall

    def __init__(self, client: Any, retries: int = 2) -> None:
        self.client = client
        self.retries = retries

    def submit(self, *args: Any, api_name: str) -> Any:
        return self.call_class(self.client, args, api_name, self.retries)

    def predict(self, *args: Any, api_name: str, timeout: float | None = None) -> Any:
        return self.submit(*args, api_name=api_name).result(timeout=timeout)


def join_refused(exc: BaseException) -> bool:
    """The server refused the join, so it holds no job for this attempt."""
    if isinstance(exc, QueueError):
        return True
    return (isinstance(exc, httpx.HTTPStatusError)
            and exc.request.url.path.endswith("/queue/join"))


class RetryCall(NaiveRetryCall):
    """One call through :class:`RetryClient`: retries only refused joins."""

    def __init__(self, client: Any, args: tuple[Any, ...], api_name: str, retries: int) -> None:
        super().__init__(client, args, api_name, retries)
        self.attempts = 1
        self.cancelled = False

    def result(self, timeout: float | None = None) -> Any:
        while True:
            try:
                return self.job.result(timeout=timeout)
            except _TIMEOUTS:
                raise  # still queued or running: waiting again waits for this same job
            except concurrent.futures.CancelledError:
                raise  # cancelled by the user (or the stream was lost): it stands
            except Exception as exc:
                if self.cancelled or not join_refused(exc) or self.attempts > self.retries:
                    raise
                self.attempts += 1
                self.job = self.client.submit(*self.args, api_name=self.api_name)

    def cancel(self) -> bool:
        self.cancelled = True
        return bool(self.job.cancel())


class RetryClient(NaiveRetryClient):
    """Like :class:`NaiveRetryClient`, but a retry never duplicates or revives a job."""

    call_class = RetryCall
