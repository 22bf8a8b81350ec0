"""The real gradio_client against the fake, for every emulated Gradio version it can talk to."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import gradio_client
import httpx
import pytest
from gradio_client import Client
from gradio_client.utils import QueueError, Status
from packaging.version import Version
from support import CLIENT_VERSION, compatible

from gradio_fake import SUPPORTED_VERSIONS, Error, FakeGradio

try:
    from gradio_client.exceptions import AppError
except ImportError:  # pragma: no cover - every supported client has it
    AppError = Exception  # type: ignore[misc,assignment]

HAS_VALIDATION_ERROR = CLIENT_VERSION >= Version("1.14")


def echo_space(fake: FakeGradio, gradio: str, **kwargs: object):
    space = fake.space("acme/echo", gradio=gradio, **kwargs)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                   fn=lambda text: f"echo:{text}", duration=2.0)
    return space


def test_predict(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    client = fake.client("acme/echo")
    assert client.predict("hi", api_name="/predict") == "echo:hi"
    assert fake.clock.now == 2.0


def test_submit_result_status_and_outputs(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    job = fake.client("acme/echo").submit("hi", api_name="/predict")
    assert job.status().code == Status.PROCESSING
    assert job.result() == "echo:hi"
    status = job.status()
    assert status.code == Status.FINISHED and status.success is True
    assert job.outputs() == ["echo:hi"]
    assert job.done()


def test_plain_client_constructor_works_while_active(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    client = Client("acme/echo", verbose=False)
    assert client.predict("x", api_name="/predict") == "echo:x"


def test_url_source(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("http://127.0.0.1:7860/", gradio=gradio)
    space.endpoint("/predict", inputs=["number"], outputs=["number"], fn=lambda x: x * 2)
    client = fake.client("http://127.0.0.1:7860")
    assert client.predict(21, api_name="/predict") == 42


def test_several_inputs_and_outputs(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/calc", gradio=gradio)
    space.endpoint(
        "/calc",
        inputs=[{"type": "number", "label": "a"}, {"type": "number", "label": "b"},
                "checkbox", "dropdown"],
        outputs=["number", "textbox", "json"],
        fn=lambda a, b, neg, op: ((-(a + b) if neg else a + b), op, {"a": a, "b": b}),
    )
    client = fake.client("acme/calc")
    assert client.predict(2, 3, False, "add", api_name="/calc") == (5, "add", {"a": 2, "b": 3})
    assert client.predict(2, 3, True, "add", api_name="/calc")[0] == -5


def test_keyword_arguments_from_info(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/kw", gradio=gradio)
    space.endpoint("/greet", inputs=["textbox", "slider"], outputs=["textbox"],
                   fn=lambda name, times: name * int(times))
    client = fake.client("acme/kw")
    assert client.predict(name="ab", times=2, api_name="/greet") == "abab"


def test_view_api_lists_endpoints(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/multi", gradio=gradio)
    space.endpoint("/first", inputs=["textbox"], outputs=["textbox"], result="1")
    space.endpoint("/second", inputs=["number", "state"], outputs=["number", "state"],
                   result=(2, None))
    client = fake.client("acme/multi")
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/first", "/second"}
    # state is skipped by the client, as with a real Gradio app
    assert len(api["named_endpoints"]["/second"]["parameters"]) == 1
    assert client.predict(5, api_name="/second") == 2


def test_generator_outputs_full_then_diffs(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/stream", gradio=gradio)

    def count(n: float):
        text = ""
        for i in range(int(n)):
            text += str(i)
            yield text

    space.endpoint("/count", inputs=["number"], outputs=["textbox"], fn=count, duration=4.0)
    job = fake.client("acme/stream").submit(4, api_name="/count")
    assert job.result() == "0123"
    assert job.outputs() == ["0", "01", "012", "0123"]
    generating = [m for m in fake.messages if m.msg == "process_generating"]
    assert generating[0].payload["output"]["data"] == ["0"]
    assert generating[1].payload["output"]["data"] == [[["append", [], "1"]]]
    assert [m.time for m in generating] == [1.0, 2.0, 3.0, 4.0]


def test_iterating_a_job(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/stream", gradio=gradio)
    space.endpoint("/words", inputs=["textbox"], outputs=["textbox"],
                   yields=["a", "a b", "a b c"], duration=30.0)
    job = fake.client("acme/stream").submit("x", api_name="/words")
    seen = []
    for output in job:
        seen.append((fake.clock.now, output))
    assert seen == [(10.0, "a"), (20.0, "a b"), (30.0, "a b c")]


def test_error_becomes_app_error(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/err", gradio=gradio)
    space.endpoint("/fail", inputs=["textbox"], outputs=["textbox"], error="boom", duration=3)
    job = fake.client("acme/err").submit("x", api_name="/fail")
    with pytest.raises(AppError, match="boom"):
        job.result()
    assert fake.clock.now == 3
    assert job.status().success is False


def test_error_raised_by_fn(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/err", gradio=gradio)

    def fn(text: str) -> str:
        raise Error(f"bad input {text}", title="Oops")

    space.endpoint("/fail", inputs=["textbox"], outputs=["textbox"], fn=fn)
    with pytest.raises(AppError, match="bad input x"):
        fake.client("acme/err").predict("x", api_name="/fail")


def test_plain_exception_without_show_error(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/err", gradio=gradio)
    space.endpoint("/fail", inputs=["textbox"], outputs=["textbox"], fn=lambda s: 1 / 0)
    with pytest.raises(AppError, match="verbose error reporting"):
        fake.client("acme/err").predict("x", api_name="/fail")


def test_queue_full_is_queue_error(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/busy", gradio=gradio, max_size=1)
    space.endpoint("/slow", inputs=["textbox"], outputs=["textbox"], result="ok", duration=60)
    client = fake.client("acme/busy")
    running = client.submit("a", api_name="/slow")  # the running job does not count
    waiting = client.submit("b", api_name="/slow")
    rejected = client.submit("c", api_name="/slow")
    with pytest.raises(QueueError):
        rejected.result()
    join = [r for r in fake.requests if r.path.endswith("/queue/join")][-1]
    assert join.status == 503
    assert join.response == {"detail": "Queue is full. Max size is 1 and size is 1."}
    assert running.result() == "ok" and waiting.result() == "ok"
    assert fake.clock.now == 120


@pytest.mark.skipif(not HAS_VALIDATION_ERROR, reason="ValidationError is new in client 1.14")
@pytest.mark.parametrize("gradio_v", ["5.50.0", "6.31.0"])
def test_validation_error(fake: FakeGradio, gradio_v: str) -> None:
    from gradio_client.exceptions import ValidationError

    space = fake.space("acme/valid", gradio=gradio_v)
    space.endpoint("/age", inputs=[{"type": "number", "label": "age"}], outputs=["textbox"],
                   fn=lambda age: "ok",
                   validator=lambda age: None if age >= 0 else "age must be >= 0")
    client = fake.client("acme/valid")
    assert client.predict(3, api_name="/age") == "ok"
    with pytest.raises(ValidationError, match="age must be >= 0"):
        client.predict(-1, api_name="/age")


def test_file_upload_and_download(fake: FakeGradio, gradio: str, tmp_path: Path) -> None:
    space = fake.space("acme/files", gradio=gradio)
    out_file = tmp_path / "result.txt"

    def shout(path: str) -> str:
        out_file.write_text(Path(path).read_text().upper())
        return str(out_file)

    space.endpoint("/shout", inputs=["file"], outputs=["file"], fn=shout, duration=1)
    source = tmp_path / "hello.txt"
    source.write_text("hello")
    client = fake.client("acme/files", download_files=str(tmp_path / "downloads")) \
        if CLIENT_VERSION >= Version("1.3") else fake.client(
            "acme/files", output_dir=str(tmp_path / "downloads"))
    wrap = getattr(gradio_client, "handle_file", None) or gradio_client.file  # 0.17 spelling
    arg = wrap(str(source))
    result = client.predict(arg, api_name="/shout")
    assert Path(result).read_text() == "HELLO"
    assert Path(result).parent.parent == tmp_path / "downloads"
    uploads = [r for r in fake.requests if r.path.endswith("/upload")]
    assert len(uploads) == 1 and uploads[0].status == 200


def test_several_clients_and_sessions(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/shared", gradio=gradio)
    space.endpoint("/work", inputs=["textbox"], outputs=["textbox"],
                   fn=lambda s: s.upper(), duration=10, concurrency_limit=2)
    first, second = fake.client("acme/shared"), fake.client("acme/shared")
    assert first.session_hash != second.session_hash
    jobs = [c.submit(name, api_name="/work")
            for c, name in ((first, "a"), (second, "b"), (first, "c"))]
    assert [j.result() for j in jobs] == ["A", "B", "C"]
    assert fake.clock.now == 20  # two at a time, then the third


def test_several_spaces(fake: FakeGradio, gradio: str) -> None:
    fake.space("acme/one", gradio=gradio).endpoint(
        "/predict", inputs=["textbox"], outputs=["textbox"], result="one")
    fake.space("acme/two", gradio=gradio).endpoint(
        "/predict", inputs=["textbox"], outputs=["textbox"], result="two")
    assert fake.client("acme/one").predict("x", api_name="/predict") == "one"
    assert fake.client("acme/two").predict("x", api_name="/predict") == "two"


def test_close_client(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    client = fake.client("acme/echo")
    client.predict("x", api_name="/predict")
    client.close()
    assert not client.heartbeat.is_alive()


@pytest.mark.parametrize("gradio_v", SUPPORTED_VERSIONS)
def test_old_clients_cannot_reach_gradio_5_like_real_ones(gradio_v: str) -> None:
    if compatible(gradio_v):
        pytest.skip("this client version understands api_prefix")
    with FakeGradio() as fake:
        echo_space(fake, gradio_v)
        with pytest.raises(ValueError, match="Could not fetch api info"):
            fake.client("acme/echo")


def test_unserved_request_fails_at_once_naming_the_url(fake: FakeGradio) -> None:
    with pytest.raises(httpx.ConnectError, match=r"GET https://example\.org/nothing"):
        httpx.get("https://example.org/nothing")


def test_unknown_space_id_is_repository_not_found(fake: FakeGradio) -> None:
    with pytest.raises(Exception, match=r"(?i)not found|404"):
        fake.client("nobody/nothing")


def test_concurrent_futures_wait_on_jobs(fake: FakeGradio, gradio: str) -> None:
    echo_space(fake, gradio)
    client = fake.client("acme/echo")
    jobs = [client.submit(str(i), api_name="/predict") for i in range(3)]
    fake.run_until_idle()
    done, _ = concurrent.futures.wait([j.future for j in jobs], timeout=5)
    assert len(done) == 3
    assert [j.result() for j in jobs] == ["echo:0", "echo:1", "echo:2"]
    assert fake.clock.now == 6


def test_leaving_the_fake_restores_everything() -> None:
    """No thread of ours survives the context; real time and httpx come back."""
    import threading
    import time as time_module

    real_time = time_module.time
    handle = httpx.HTTPTransport.handle_request
    before = set(threading.enumerate())
    with FakeGradio(start="2030-06-01T00:00:00Z") as fake:
        echo_space(fake, "4.44.1")
        client = fake.client("acme/echo")
        client.submit("x", api_name="/predict").result()
        running = client.submit("y", api_name="/predict")  # left running on purpose
        assert time_module.time() == pytest.approx(1906502400 + 4)
        assert not running.done()
    assert time_module.time is real_time and time_module.time() > 1.7e9
    assert httpx.HTTPTransport.handle_request is handle
    assert set(threading.enumerate()) <= before
    assert running.done()  # ended by the fake's exit (its stream closed)


def test_exit_with_a_job_left_running_does_not_sleep_in_real_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The running job's poller waits for its end on a bell, not in 50 ms real sleeps."""
    from gradio_fake._realtime import REAL

    slept: list[float] = []
    real_sleep = REAL.sleep

    def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        real_sleep(seconds)

    with FakeGradio() as fake:
        echo_space(fake, "4.44.1")
        running = fake.client("acme/echo").submit("y", api_name="/predict")
        assert not running.done()
        monkeypatch.setattr(REAL, "sleep", recording_sleep)
    assert running.done()
    assert [s for s in slept if s >= 0.01] == []


def test_hub_api_through_requests(fake: FakeGradio) -> None:
    """huggingface_hub 0.x talks to the Hub with requests: that is intercepted too."""
    requests = pytest.importorskip("requests")
    fake.space("acme/echo").endpoint("/p", inputs=["textbox"], outputs=["textbox"])
    info = requests.get("https://huggingface.co/api/spaces/acme/echo", timeout=5)
    assert info.status_code == 200 and info.json()["host"] == "https://acme-echo.hf.space"
    with pytest.raises(requests.ConnectionError, match="no fake serves GET"):
        requests.get("https://example.org/", timeout=5)


def test_telemetry_stays_in_process(fake: FakeGradio, gradio: str) -> None:
    from huggingface_hub import constants

    echo_space(fake, gradio)
    assert constants.HF_HUB_DISABLE_TELEMETRY is True  # the hub's own thread never starts
    response = httpx.head("https://huggingface.co/api/telemetry/py_client/initiated")
    assert response.status_code == 200
    fake.client("acme/echo").predict("x", api_name="/predict")
    assert all(r.status is not None for r in fake.requests)  # nothing went unserved


def test_a_space_that_is_building_then_runs(fake: FakeGradio) -> None:
    space = fake.space("acme/build", gradio="4.44.1", stage="BUILDING", ready_at=30)
    space.endpoint("/p", inputs=["textbox"], outputs=["textbox"], result="ok")
    client = fake.client("acme/build")  # polls the Hub every 2 virtual seconds
    assert fake.clock.now == 30
    assert client.predict("x", api_name="/p") == "ok"


def test_a_space_building_forever_is_a_clear_error(fake: FakeGradio) -> None:
    from gradio_fake import NeverEndingWait

    fake.space("acme/build", gradio="4.44.1", stage="BUILDING").endpoint(
        "/p", inputs=["textbox"], outputs=["textbox"])
    with pytest.raises(NeverEndingWait, match="BUILDING and nothing will ever change"):
        fake.client("acme/build")


def test_collecting_a_client_with_running_jobs_does_not_hang(fake: FakeGradio,
                                                             gradio: str) -> None:
    """Clients before 2.x shut their pool down with ``wait=True`` in ``__del__``; if
    garbage collection runs that in the test's thread, the pool's jobs could only end by
    that thread moving virtual time. It returns at once, and the job goes on."""
    echo_space(fake, gradio)
    client = fake.client("acme/echo")
    job = client.submit("hi", api_name="/predict")
    assert job.status().code == Status.PROCESSING
    client.__del__()  # what the garbage collector calls, here in the test's own thread
    assert not job.done() and fake.clock.now == 0.0
    assert job.result() == "echo:hi" and fake.clock.now == 2.0
