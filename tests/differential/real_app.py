"""The real Gradio app of the differential test (run by a real-gradio venv's python).

Usage: ``python real_app.py`` prints ``READY <main port> <tight port>`` once both apps
listen on 127.0.0.1, then serves until stdin closes or the process is terminated.
Two apps: ``main`` (no queue limit) and ``tight`` (``max_size=1``, for "queue full").
Imports gradio, so it never runs inside gradio-fake's own environments.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr

SLOW = float(os.environ.get("GRADIO_FAKE_DIFF_SLOW", "0.5"))
LONG = float(os.environ.get("GRADIO_FAKE_DIFF_LONG", "1.5"))
STEP = float(os.environ.get("GRADIO_FAKE_DIFF_STEP", "0.25"))


def instant(x: str) -> str:
    return x.upper()


def slow(x: str) -> str:
    time.sleep(SLOW)
    return x[::-1]


def long(x: str) -> str:
    time.sleep(LONG)
    return x[::-1]


def with_progress(x: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
    for i in range(3):
        progress((i, 3), desc="step")
        time.sleep(STEP)
    return x.upper()


def generator(x: str) -> Iterator[str]:
    for i in range(3):
        time.sleep(STEP)
        yield f"{x}{i}"


def failing(x: str) -> str:
    raise gr.Error("boom")


def build(max_size: int | None) -> gr.Blocks:
    with gr.Blocks() as demo:
        inp = gr.Textbox(label="text")
        out = gr.Textbox(label="result")
        button = gr.Button()
        button.click(instant, inp, out, api_name="instant")
        button.click(slow, inp, out, api_name="slow", concurrency_limit=1)
        button.click(long, inp, out, api_name="long", concurrency_limit=1)
        button.click(with_progress, inp, out, api_name="progress")
        button.click(generator, inp, out, api_name="generate")
        button.click(failing, inp, out, api_name="fail")
    demo.queue(max_size=max_size)
    return demo


def main() -> None:
    main_app, tight_app = build(None), build(1)
    launched = []
    for app in (main_app, tight_app):
        app.launch(server_name="127.0.0.1", server_port=None, share=False,
                   prevent_thread_lock=True, quiet=True)
        launched.append(app.server_port)
    print("READY", *launched, flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or terminates us)
    finally:
        for app in (main_app, tight_app):
            app.close()


if __name__ == "__main__":
    main()
