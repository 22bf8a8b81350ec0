"""Raw HTTP against the fake: what real Gradio answers to malformed or odd requests."""

from __future__ import annotations

import json

import httpx
import pytest

from gradio_fake import SUPPORTED_VERSIONS, FakeGradio

ROOT = "http://127.0.0.1:7860"


def declare(fake: FakeGradio, gradio: str) -> str:
    space = fake.space(ROOT, gradio=gradio)
    space.endpoint("/predict", inputs=["textbox", "number"], outputs=["textbox"],
                   fn=lambda s, n: s * int(n))
    prefix = "/gradio_api" if gradio >= "5" else ""
    return ROOT + prefix


@pytest.fixture(params=SUPPORTED_VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def join(base: str, body: object) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"{base}/queue/join", content=content,
                      headers={"content-type": "application/json"})


def test_join_bad_json(fake: FakeGradio, version: str) -> None:
    response = join(declare(fake, version), b"{not json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_join_missing_data(fake: FakeGradio, version: str) -> None:
    response = join(declare(fake, version), {"fn_index": 0, "session_hash": "s"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data"]


def test_join_missing_session_and_fn_index(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    no_session = join(base, {"data": ["a", 1], "fn_index": 0})
    assert (no_session.status_code, no_session.json()) == (
        400, {"detail": "Session hash not found."})
    no_fn = join(base, {"data": ["a", 1], "session_hash": "s"})
    assert (no_fn.status_code, no_fn.json()) == (400, {"detail": "No function index provided."})


def test_join_unknown_fn_index_is_500(fake: FakeGradio, version: str) -> None:
    response = join(declare(fake, version), {"data": [], "fn_index": 9, "session_hash": "s"})
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


def test_join_fn_index_not_an_int(fake: FakeGradio, version: str) -> None:
    response = join(declare(fake, version), {"data": [], "fn_index": "abc", "session_hash": "s"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "int_parsing"


def test_too_few_inputs_fail_in_the_stream(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    response = join(base, {"data": ["a"], "fn_index": 0, "session_hash": "s"})
    assert response.status_code == 200
    event_id = response.json()["event_id"]
    with httpx.stream("GET", f"{base}/queue/data", params={"session_hash": "s"}) as stream:
        lines = [json.loads(line[5:]) for line in stream.iter_lines() if line]
    completed = [m for m in lines if m.get("msg") == "process_completed"]
    assert completed[0]["event_id"] == event_id
    assert completed[0]["success"] is False
    assert completed[0]["output"]["error"] is None  # show_error is off, as by default
    assert lines[-1]["msg"] == "close_stream"


def test_unknown_session_stream_sends_one_error_then_aborts(fake: FakeGradio,
                                                             version: str) -> None:
    base = declare(fake, version)
    received = []
    with pytest.raises(httpx.RemoteProtocolError), \
            httpx.stream("GET", f"{base}/queue/data", params={"session_hash": "nope"}) as s:
        for line in s.iter_lines():
            if line:
                received.append(json.loads(line[5:]))
    assert len(received) == 1 and received[0]["msg"] == "unexpected_error"
    assert "404" in received[0]["message"]


def test_stream_without_session_is_422(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    assert httpx.get(f"{base}/queue/data").status_code == 422


def test_cancel_with_null_event_id_is_422(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    response = httpx.post(f"{base}/cancel",
                          json={"fn_index": 0, "session_hash": "s", "event_id": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_type"


def test_reset_of_unknown_event(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    response = httpx.post(f"{base}/reset", json={"event_id": "unknown"})
    assert response.status_code == 200
    # 4.32 only cleans live generators and says so; 4.44+ /reset is a no-op that succeeds
    assert response.json() == {"success": version != "4.32.2"}


def test_unknown_route_is_404(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    response = httpx.get(f"{base}/no/such/route")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_prefixless_route_on_gradio_5_is_404(fake: FakeGradio) -> None:
    declare(fake, "5.50.0")
    assert httpx.get(f"{ROOT}/info").status_code == 404
    assert httpx.get(f"{ROOT}/config").status_code == 200


def test_file_not_served_is_403(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    response = httpx.get(f"{base}/file=/etc/passwd")
    assert response.status_code == 403


def test_config_and_info_shapes(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    config = httpx.get(f"{ROOT}/config").json()
    assert config["version"] == version and config["protocol"] == "sse_v3"
    assert ("api_prefix" in config) == (version >= "5")
    assert config["connect_heartbeat"] is False  # no gr.State in this app
    dependency = config["dependencies"][0]
    assert dependency["api_name"] == "predict" and dependency["backend_fn"] is True
    assert "concurrency_limit" not in dependency
    info = httpx.get(f"{base}/info").json()
    endpoint = info["named_endpoints"]["/predict"]
    assert [p["parameter_name"] for p in endpoint["parameters"]] == ["s", "n"]
    assert ("api_visibility" in endpoint) == (version >= "6")


def test_sse_framing_is_exact(fake: FakeGradio, version: str) -> None:
    base = declare(fake, version)
    join(base, {"data": ["ab", 2], "fn_index": 0, "session_hash": "s"})
    with httpx.stream("GET", f"{base}/queue/data", params={"session_hash": "s"}) as stream:
        raw = b"".join(stream.iter_bytes())
    blocks = raw.split(b"\n\n")
    assert blocks[-1] == b""
    for block in blocks[:-1]:
        assert block.startswith(b"data: ") and b"\n" not in block
        json.loads(block[6:])
    close = json.loads(blocks[-2][6:])
    expected = {"msg": "close_stream"} if version == "4.32.2" else {
        "msg": "close_stream", "event_id": None}
    assert close == expected
