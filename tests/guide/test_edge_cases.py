"""The ten edge cases of docs/guide.md, one test each.

The guide shows this code verbatim (tests/guide/test_guide_in_sync.py checks it):
edit both together. Every test runs on gradio_client 0.17, 1.x and 2.x.
"""

import concurrent.futures
import time
from pathlib import Path

import gradio_client
import pytest
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError, Status

from gradio_fake import FakeGradio, Load

# gradio_client 0.17 spells these `gradio_client.file(path)` and `Client(output_dir=...)`;
# 1.0 and later `gradio_client.handle_file(path)` and `Client(download_files=...)`.
if hasattr(gradio_client, "handle_file"):
    handle_file, DOWNLOAD_DIR = gradio_client.handle_file, "download_files"
else:
    handle_file, DOWNLOAD_DIR = gradio_client.file, "output_dir"


def test_long_queue_wait_shows_rank_and_eta():
    with FakeGradio() as fake:
        # Seven jobs of other users are ahead of ours (one running), 60 s each.
        space = fake.space("acme/busy", gradio="4.44.1", load=Load(ahead=7, duration=60))
        space.endpoint("/generate", inputs=["textbox"], outputs=["textbox"],
                       fn=str.upper, duration=60)
        job = fake.client("acme/busy").submit("a cat", api_name="/generate")

        status = job.status()
        assert status.code == Status.IN_QUEUE
        assert (status.rank, status.queue_size, status.eta) == (6, 7, 480.0)
        fake.clock.advance(240)  # four of the jobs ahead finish
        assert (job.status().rank, job.status().eta) == (2, 240.0)
        assert job.result() == "A CAT"  # returns at once in real time...
        assert fake.clock.now == 480  # ...at virtual t=480 s


def test_progress_bar():
    with FakeGradio() as fake:
        space = fake.space("acme/diffusion", gradio="4.44.1")
        steps = [{"index": i, "length": 4, "unit": "steps", "desc": "denoising"}
                 for i in (1, 2, 3)]
        space.endpoint("/generate", inputs=["textbox"], outputs=["textbox"],
                       result="done", duration=100, progress=steps)  # at t=25, 50, 75 s
        job = fake.client("acme/diffusion").submit("a cat", api_name="/generate")

        fake.clock.advance(60)
        status = job.status()
        assert status.code == Status.PROGRESS
        step = status.progress_data[0]
        assert (step.index, step.length, step.unit, step.desc) == (2, 4, "steps", "denoising")


def test_streaming_outputs():
    with FakeGradio() as fake:
        space = fake.space("acme/chat", gradio="4.44.1")
        space.endpoint("/chat", inputs=["textbox"], outputs=["textbox"],
                       yields=["Hello", "Hello! How", "Hello! How can I help?"], duration=3)
        job = fake.client("acme/chat").submit("hi", api_name="/chat")

        seen = [(fake.clock.now, text) for text in job]  # iterating a Job streams outputs
        assert seen == [(1, "Hello"), (2, "Hello! How"), (3, "Hello! How can I help?")]
        assert job.outputs() == ["Hello", "Hello! How", "Hello! How can I help?"]
        assert job.result() == "Hello! How can I help?"


def test_app_error_carries_its_message():
    with FakeGradio() as fake:
        space = fake.space("acme/flaky", gradio="4.44.1")
        space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                       error="boom", duration=5)  # as if the app raised gr.Error("boom")
        space.endpoint("/crash", inputs=["textbox"], outputs=["textbox"],
                       fn=lambda text: 1 / 0)  # any other exception
        client = fake.client("acme/flaky")

        job = client.submit("x", api_name="/predict")
        with pytest.raises(AppError, match="boom"):
            job.result()
        assert fake.clock.now == 5
        assert job.status().success is False
        # Without show_error=True (the default), other exceptions hide their message.
        with pytest.raises(AppError, match="verbose error reporting"):
            client.predict("x", api_name="/crash")


def predict_with_backoff(client, *args, api_name, attempts=5, first_delay=10):
    """Code under test: retry while the Space's queue is full, doubling the delay."""
    delay = first_delay
    for _ in range(attempts):
        try:
            return client.submit(*args, api_name=api_name).result()
        except QueueError:
            time.sleep(delay)  # in a test, this moves virtual time and returns at once
            delay *= 2
    raise RuntimeError(f"queue still full after {attempts} attempts")


def test_queue_full_retry_with_backoff():
    with FakeGradio() as fake:
        # Queue limit 1, already reached: one job of 60 s running, one waiting.
        space = fake.space("acme/tiny", gradio="4.44.1", max_size=1,
                           load=Load(ahead=2, duration=60))
        space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                       fn=str.upper, duration=30)
        client = fake.client("acme/tiny")

        assert predict_with_backoff(client, "hi", api_name="/predict") == "HI"
        # What the client sent: four joins, the first three refused with HTTP 503.
        joins = [r for r in fake.requests if r.path.endswith("/queue/join")]
        assert [(r.time, r.status) for r in joins] == [(0, 503), (10, 503), (30, 503),
                                                       (70, 200)]
        assert joins[-1].json["data"] == ["hi"]
        assert fake.clock.now == 150  # waited for the job ahead until t=120, ran 30 s


def test_timeout_keeps_the_job_running():
    with FakeGradio() as fake:
        space = fake.space("acme/slow", gradio="4.44.1")
        space.endpoint("/render", inputs=["textbox"], outputs=["textbox"],
                       result="video.mp4", duration=600)
        job = fake.client("acme/slow").submit("scene 1", api_name="/render")

        with pytest.raises(concurrent.futures.TimeoutError):  # = TimeoutError on 3.11+
            job.result(timeout=60)
        assert fake.clock.now == 60
        assert job.status().code == Status.PROCESSING  # a timeout does not cancel
        assert job.result(timeout=600) == "video.mp4"  # so ask again later
        assert fake.clock.now == 600


def test_cancel_a_running_job():
    with FakeGradio() as fake:
        space = fake.space("acme/slow", gradio="4.44.1")
        space.endpoint("/render", inputs=["textbox"], outputs=["textbox"],
                       result="video.mp4", duration=600)
        job = fake.client("acme/slow").submit("scene 1", api_name="/render")

        fake.clock.advance(10)
        assert job.cancel() is True
        assert job.status().code == Status.CANCELLED
        with pytest.raises(concurrent.futures.CancelledError):
            job.result()
        sent = [r.path for r in fake.requests if r.method == "POST"]
        assert sent == ["/queue/join", "/cancel", "/reset"]


def predict_retrying_dropped_stream(client, *args, api_name):
    """Code under test: resubmit once when the connection is lost mid-job."""
    try:
        return client.submit(*args, api_name=api_name).result()
    except concurrent.futures.CancelledError:  # we did not cancel: the stream was cut
        return client.submit(*args, api_name=api_name).result()


def test_stream_dropped_mid_job():
    with FakeGradio() as fake:
        space = fake.space("acme/proxied", gradio="4.44.1")
        space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                       fn=str.upper, duration=40)
        fake.fault("stream_dropped", at=15)  # a proxy cuts the SSE stream at t=15 s

        client = fake.client("acme/proxied")
        assert predict_retrying_dropped_stream(client, "hi", api_name="/predict") == "HI"
        joins = [r.time for r in fake.requests if r.path.endswith("/queue/join")]
        assert joins == [0, 15]
        # The server did not notice: it ran the first call to t=40, and the retry
        # (concurrency_limit=1) waited behind it.
        assert fake.clock.now == 40 + 40


def test_paused_space_refuses_to_connect():
    with FakeGradio() as fake:
        space = fake.space("acme/sleepy", gradio="4.44.1", stage="PAUSED")
        space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper)

        with pytest.raises(ValueError, match="invalid state: PAUSED"):
            fake.client("acme/sleepy")
        assert not any(r.path.endswith("/queue/join") for r in fake.requests)


def test_file_upload_and_download(tmp_path):
    with FakeGradio() as fake:
        space = fake.space("acme/files", gradio="4.44.1")

        def shout(path):  # the app gets the uploaded file as a local path...
            out = tmp_path / "shout.txt"
            out.write_text(Path(path).read_text().upper())
            return str(out)  # ...and returns a path, which the client downloads

        space.endpoint("/shout", inputs=["file"], outputs=["file"], fn=shout, duration=1)
        source = tmp_path / "hello.txt"
        source.write_text("hello")
        downloads = tmp_path / "downloads"
        client = fake.client("acme/files", **{DOWNLOAD_DIR: str(downloads)})

        result = client.predict(handle_file(str(source)), api_name="/shout")
        assert Path(result).read_text() == "HELLO"
        assert downloads in Path(result).parents
        assert [r.status for r in fake.requests if r.path.endswith("/upload")] == [200]
