"""Library-neutral HTTP request and reply records shared by the protocol layer and transports."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

__all__ = ["ByteSource", "HttpReply", "HttpRequest", "json_reply"]


class ByteSource(Protocol):
    """A streamed response body: iterating blocks until bytes are due; ``close`` ends it."""

    def __iter__(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


@dataclass
class HttpRequest:
    """What a client sent, whatever HTTP library it used."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    @property
    def raw_query(self) -> str:
        return urlsplit(self.url).query

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReply:
    """What the fake answers: a whole body, or a stream."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    stream: ByteSource | None = None


def json_reply(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> HttpReply:
    """A JSON reply with the compact separators Gradio's orjson produces."""
    merged = {"content-type": "application/json"}
    merged.update(headers or {})
    body = json.dumps(payload, separators=(",", ":")).encode()
    merged["content-length"] = str(len(body))
    return HttpReply(status, merged, body)
