"""The journal as an assertion API: filters, the common questions, strict mode's check."""

from __future__ import annotations

import httpx
import pytest
from gradio_client.utils import QueueError

from gradio_fake import FakeGradio, MessageRecord, RequestRecord, Space


def echo_space(fake: FakeGradio, gradio: str, **settings: object) -> Space:
    space = fake.space("acme/echo", gradio=gradio, **settings)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                   duration=4.0, progress=[0.25, 0.5, 0.75])
    space.endpoint("/scripted", inputs=["textbox"], outputs=["textbox"],
                   script=[(0, "estimation", {"rank": 2, "queue_size": 3, "eta": 9.0}),
                           (1, "process_starts"), (3, "process_completed", "done")])
    return space


def test_request_filters(fake: FakeGradio, gradio: str) -> None:
    space = echo_space(fake, gradio)
    client = fake.client("acme/echo")
    first = client.submit("a", api_name="/predict")
    assert first.result() == "A"
    fake.clock.run_until(10)
    second = client.submit("b", api_name="/predict")
    assert second.result() == "B"
    journal = fake.journal

    joins = journal.requests(path="/queue/join")  # under /gradio_api on 5.x too
    assert [r.event_id for r in joins] == [journal.event_id(first), journal.event_id(second)]
    assert journal.requests(method="post", route="join") == joins
    assert all(r.api_name == "/predict" and r.status == 200 for r in joins)
    assert journal.requests(api_name="predict") == joins
    assert journal.requests(route="join", since=5).one().event_id == journal.event_id(second)
    assert journal.requests(route="join", until=5).one().event_id == journal.event_id(first)
    assert journal.requests(job=first).one() is joins.first
    assert journal.requests(space=space) == journal.requests(space="acme/echo")
    assert not journal.requests(space="acme/other")
    assert {r.route for r in journal.requests(path="*/queue/*")} == {"join", "data"}
    assert journal.requests(route="data", session=client.session_hash)
    assert journal.requests(route="config").last.space == "acme/echo"
    assert not journal.requests(route="join", status=503)
    # The journal's lists filter; FakeGradio.requests/.messages stay plain lists.
    assert fake.requests == list(journal.requests) and type(fake.requests) is list
    assert fake.messages == list(journal.messages) and type(fake.messages) is list
    assert isinstance(joins.last, RequestRecord)


def test_message_filters(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    client = fake.client("acme/echo")
    job = client.submit("a", api_name="/predict")
    other = client.submit("b", api_name="/predict")
    other.result()
    journal = fake.journal
    progress = journal.messages(msg="progress", job=job)
    assert [m.payload["progress_data"][0]["progress"] for m in progress] == [0.25, 0.5, 0.75]
    assert [m.time for m in progress] == [1.0, 2.0, 3.0]
    assert journal.messages(msg="progress", job=job, since=1.5, until=2.5).one().time == 2.0
    assert journal.messages(job=job).last.msg == "process_completed"
    assert journal.messages(job=job) == journal.messages(event_id=journal.event_id(job))
    assert journal.messages(msg="process_completed").last.event_id == journal.event_id(other)
    assert len(journal.messages(msg="progress", space="acme/echo")) == 6
    assert isinstance(progress.first, MessageRecord)


def test_the_common_questions(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    mine, theirs = fake.client("acme/echo"), fake.client("acme/echo")
    kept = theirs.submit("b", api_name="/predict")
    job = mine.submit("hi", api_name="/predict")
    fake.clock.advance(1)
    job.cancel()
    kept.result()
    journal = fake.journal
    assert journal.was_cancelled(job) and not journal.was_cancelled(kept)
    body = journal.sent(job)
    assert body["data"] == ["hi"] and body["fn_index"] == 0
    assert body["session_hash"] == mine.session_hash
    assert journal.joins() == 2 and journal.joins(space="acme/echo", accepted=True) == 2
    assert journal.joins(space="acme/other") == 0
    mine_only = journal.timeline(job)
    assert journal.event_id(job)[:8] in mine_only
    assert journal.event_id(kept)[:8] not in mine_only
    assert "POST  " in mine_only and journal.timeline() == fake.timeline()


def test_a_refused_join_is_still_found(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio, max_size=1)
    client = fake.client("acme/echo")
    running, waiting, refused = (client.submit(x, api_name="/predict") for x in "abc")
    with pytest.raises(QueueError):
        refused.result()
    join = fake.journal.join(refused)
    assert join.status == 503 and fake.journal.sent(refused)["data"] == ["c"]
    assert fake.journal.joins() == 3 and fake.journal.joins(accepted=True) == 2
    with pytest.raises(LookupError, match="did not accept its join"):
        fake.journal.event_id(refused)
    assert running.result() == "A" and waiting.result() == "B"


def test_jobs_the_fake_does_not_know_are_refused(fake: FakeGradio) -> None:
    with pytest.raises(LookupError, match="not a gradio_client Job submitted while"):
        fake.journal.messages(job=object())
    assert fake.journal.event_id("abc") == "abc"  # an event id is taken as it is


def test_first_last_and_one_explain_themselves(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    fake.client("acme/echo").predict("a", api_name="/predict")
    with pytest.raises(AssertionError, match="no such record in the journal"):
        _ = fake.journal.requests(route="upload").last
    with pytest.raises(AssertionError, match="expected exactly one record, found 3"):
        fake.journal.messages(msg="progress").one()


def test_strict_problems(fake: FakeGradio, gradio: str) -> None:
    space = echo_space(fake, gradio)
    client = fake.client("acme/echo")
    client.predict("a", api_name="/predict")
    scripted = [(space, "/scripted"), (None, "predict")]
    assert fake.journal.strict_problems(scripted) == [
        "scripted call /scripted of acme/echo was never made"]
    assert client.predict("x", api_name="/scripted") == "done"
    assert fake.journal.strict_problems(scripted) == []
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://nowhere.invalid/thing")
    unserved = fake.journal.unserved().one()
    assert unserved.unserved and unserved.url == "http://nowhere.invalid/thing"
    problems = fake.journal.strict_problems(scripted)
    assert len(problems) == 1 and "GET http://nowhere.invalid/thing matched no fake" \
        in problems[0]


def test_faults_show_in_the_records_and_the_timeline(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    client = fake.client("acme/echo")
    fake.fault("http_error", route="join", status=500)
    with pytest.raises(httpx.HTTPStatusError):
        client.predict("a", api_name="/predict")
    failed = fake.journal.requests(route="join", fault="http_error").one()
    assert failed.status == 500 and failed.api_name == "/predict"
    assert "-> 500 [fault: http_error]" in fake.timeline()
    fake.fault("stream_dropped", after=("progress", 1))
    job = client.submit("b", api_name="/predict")
    with pytest.raises(BaseException):  # noqa: B017 - CancelledError, whatever its module
        job.result()
    armed, struck = fake.journal.faults(kind="stream_dropped", job=job)
    assert armed.detail == "armed after progress #1" and armed.time == 1.0
    assert struck.detail == "ended 1 data stream(s)"
    assert "!! fault stream_dropped: ended 1 data stream(s)" in fake.timeline()


def test_the_journal_type_is_public(fake: FakeGradio) -> None:
    import gradio_fake

    assert isinstance(fake.journal, gradio_fake.Journal)
    assert "Journal" in gradio_fake.__all__
