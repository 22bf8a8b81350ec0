"""Strict mode: leaving a ``FakeGradio(strict=True)`` fails when a scripted call was never
made or a request matched no fake, and says which; a clean run leaves quietly."""

from __future__ import annotations

import sys

import httpx
import pytest

from gradio_fake import FakeGradio, Space, StrictModeError


def scripted_space(fake: FakeGradio, gradio: str) -> Space:
    space = fake.space("acme/script", gradio=gradio)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper)
    space.endpoint("/scripted", inputs=["textbox"], outputs=["textbox"],
                   script=[(0, "estimation", {"rank": 0, "queue_size": 1, "eta": 2.0}),
                           (1, "process_starts"), (2, "process_completed", "done")])
    return space


def test_a_strict_fake_whose_scripted_calls_were_made_leaves_quietly(gradio: str) -> None:
    with FakeGradio(strict=True) as fake:
        scripted_space(fake, gradio)
        assert fake.client("acme/script").predict("x", api_name="/scripted") == "done"
        assert fake.strict_problems() == []
    assert fake.strict  # it was checked, and found nothing


def test_a_scripted_call_never_made_fails_on_leaving(gradio: str) -> None:
    with pytest.raises(StrictModeError) as caught, FakeGradio(strict=True) as fake:
        scripted_space(fake, gradio)
        assert fake.client("acme/script").predict("x", api_name="/predict") == "X"
        assert fake.strict_problems() == [
            "scripted call /scripted of acme/script was never made"]
    assert isinstance(caught.value, AssertionError)
    message = str(caught.value)
    assert message.startswith("gradio-fake strict mode: 1 problem(s):\n"
                              "  - scripted call /scripted of acme/script was never made\n")
    assert "Last events:" in message and "/queue/join" in message


def test_a_request_no_fake_serves_fails_on_leaving() -> None:
    url = "http://nowhere.invalid/thing"
    with pytest.raises(StrictModeError) as caught, FakeGradio(strict=True):
        with pytest.raises(httpx.ConnectError):
            httpx.get(url)
    assert f"GET {url} matched no fake Space or Hub route (unserved)" in str(caught.value)


def test_without_strict_the_same_problems_pass(gradio: str) -> None:
    with FakeGradio() as fake:
        scripted_space(fake, gradio)
        assert fake.strict_problems() == [
            "scripted call /scripted of acme/script was never made"]


def test_strict_can_be_switched_off_before_leaving(gradio: str) -> None:
    with FakeGradio(strict=True) as fake:
        scripted_space(fake, gradio)
        fake.strict = False


def test_an_error_in_the_body_keeps_its_place_and_gets_the_problems_as_a_note(
        gradio: str) -> None:
    with pytest.raises(ZeroDivisionError) as caught, FakeGradio(strict=True) as fake:
        scripted_space(fake, gradio)
        1 / 0  # noqa: B018 - the test's own failure
    if sys.version_info >= (3, 11):
        (note,) = caught.value.__notes__
        assert "scripted call /scripted of acme/script was never made" in note


def test_strict_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="strict must be True or False, not 'yes'"):
        FakeGradio(strict="yes")  # type: ignore[arg-type]
