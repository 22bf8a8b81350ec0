"""In-process interception of HTTP: httpx (sync and async), httpx2 and requests.

A request in, a reply out, as httpx's own ``MockTransport``: we replace the
``handle_request`` of the libraries' default transports (so every client,
pool and proxy mount goes through us) and hand the neutral
:class:`~gradio_fake._http.HttpRequest` to one handler. A request the handler
does not serve fails at once with the library's connection error naming the
method and URL, unless the network is explicitly allowed.
"""

from __future__ import annotations

import asyncio
import importlib
import io
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from ._http import ByteSource, HttpReply, HttpRequest
from ._sse import StreamAborted

__all__ = ["Interceptor"]

Handler = Callable[[HttpRequest], "HttpReply | None"]


def _unserved_message(method: str, url: str) -> str:
    return (f"gradio-fake: no fake serves {method} {url} (the network is off while a "
            f"FakeGradio is active; declare the Space with fake.space(...), or allow the "
            f"network with --gradio-fake-allow-network / FakeGradio(allow_network=True))")


# SSL contexts by (library, arguments), kept for the process: gradio_client builds a new
# httpx client for almost every request, and each one loads the CA bundle (10-40 ms).
# In-process no TLS ever happens, so while a fake is active they are built once.
_SSL_CONTEXTS: dict[tuple[Any, ...], Any] = {}


class _HttpxFamily:
    """Patches for one httpx-like library (``httpx`` itself, or its fork ``httpx2``)."""

    def __init__(self, lib: Any, handler: Handler, allow_network: bool) -> None:
        self.lib = lib
        self.handler = handler
        self.allow_network = allow_network
        self.saved: list[tuple[Any, str, Any]] = []

        class _Stream(lib.SyncByteStream):  # type: ignore[misc]
            def __init__(self, source: ByteSource) -> None:
                self._source = source

            def __iter__(self) -> Iterator[bytes]:
                try:
                    yield from self._source
                except StreamAborted as exc:
                    raise lib.RemoteProtocolError(str(exc)) from None

            def close(self) -> None:
                self._source.close()

        class _AsyncStream(lib.AsyncByteStream):  # type: ignore[misc]
            def __init__(self, source: ByteSource) -> None:
                self._source = source

            async def __aiter__(self) -> AsyncIterator[bytes]:
                iterator = iter(self._source)
                while True:
                    try:
                        chunk = await asyncio.to_thread(next, iterator, None)
                    except StreamAborted as exc:
                        raise lib.RemoteProtocolError(str(exc)) from None
                    if chunk is None:
                        return
                    yield chunk

            async def aclose(self) -> None:
                self._source.close()

        self._stream_cls = _Stream
        self._async_stream_cls = _AsyncStream

    def install(self) -> None:
        lib = self.lib
        family = self
        sync_cls, async_cls = lib.HTTPTransport, lib.AsyncHTTPTransport
        original_sync = sync_cls.handle_request
        original_async = async_cls.handle_async_request

        def handle_request(transport: Any, request: Any) -> Any:
            reply = family._dispatch(request, request.read())
            if reply is None:
                return original_sync(transport, request)
            return family._response(reply, request, asynchronous=False)

        async def handle_async_request(transport: Any, request: Any) -> Any:
            reply = family._dispatch(request, await request.aread())
            if reply is None:
                return await original_async(transport, request)
            return family._response(reply, request, asynchronous=True)

        self.saved = [(sync_cls, "handle_request", original_sync),
                      (async_cls, "handle_async_request", original_async)]
        sync_cls.handle_request = handle_request
        async_cls.handle_async_request = handle_async_request

        defaults = importlib.import_module(f"{lib.__name__}._transports.default")
        original_ctx = getattr(defaults, "create_ssl_context", None)
        if original_ctx is not None:
            def create_ssl_context(*args: Any, **kwargs: Any) -> Any:
                key = (lib.__name__, args, tuple(sorted(kwargs.items())))
                try:
                    return _SSL_CONTEXTS[key]
                except KeyError:
                    context = _SSL_CONTEXTS[key] = original_ctx(*args, **kwargs)
                    return context
                except TypeError:  # unhashable arguments (an SSLContext): no caching
                    return original_ctx(*args, **kwargs)

            self.saved.append((defaults, "create_ssl_context", original_ctx))
            setattr(defaults, "create_ssl_context", create_ssl_context)  # noqa: B010

    def uninstall(self) -> None:
        for cls, name, original in self.saved:
            setattr(cls, name, original)
        self.saved = []

    def _dispatch(self, request: Any, body: bytes) -> HttpReply | None:
        req = HttpRequest(request.method, str(request.url),
                          {k.lower(): v for k, v in request.headers.items()}, body)
        reply = self.handler(req)
        if reply is None and not self.allow_network:
            raise self.lib.ConnectError(_unserved_message(req.method, req.url), request=request)
        return reply

    def _response(self, reply: HttpReply, request: Any, *, asynchronous: bool) -> Any:
        if reply.stream is not None:
            cls = self._async_stream_cls if asynchronous else self._stream_cls
            return self.lib.Response(reply.status, headers=reply.headers,
                                     stream=cls(reply.stream), request=request)
        return self.lib.Response(reply.status, headers=reply.headers, content=reply.body,
                                 request=request)


class _RequestsFamily:
    """Patch for ``requests`` (huggingface_hub 0.x talks to the Hub through it)."""

    def __init__(self, lib: Any, handler: Handler, allow_network: bool) -> None:
        self.lib = lib
        self.handler = handler
        self.allow_network = allow_network
        self.saved: Any = None

    def install(self) -> None:
        adapters = importlib.import_module("requests.adapters")
        models = importlib.import_module("requests.models")
        structures = importlib.import_module("requests.structures")
        original = adapters.HTTPAdapter.send
        family = self

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            body = request.body or b""
            if isinstance(body, str):
                body = body.encode()
            elif not isinstance(body, bytes):
                body = b"".join(body)
            req = HttpRequest(request.method, request.url,
                              {k.lower(): v for k, v in request.headers.items()}, body)
            reply = family.handler(req)
            if reply is None:
                if family.allow_network:
                    return original(adapter, request, *args, **kwargs)
                raise family.lib.ConnectionError(_unserved_message(req.method, req.url),
                                                 request=request)
            content = reply.body if reply.stream is None else b"".join(reply.stream)
            response = models.Response()
            response.status_code = reply.status
            response.headers = structures.CaseInsensitiveDict(reply.headers)
            response._content = content
            response.raw = io.BytesIO(content)
            response.url = request.url
            response.request = request
            response.encoding = "utf-8"
            response.reason = "OK" if reply.status < 400 else "Error"
            return response

        self.saved = original
        adapters.HTTPAdapter.send = send

    def uninstall(self) -> None:
        if self.saved is not None:
            importlib.import_module("requests.adapters").HTTPAdapter.send = self.saved
            self.saved = None


class Interceptor:
    """Routes every HTTP request of the process to ``handler`` while installed."""

    def __init__(self, handler: Handler, *, allow_network: bool = False) -> None:
        self._families: list[_HttpxFamily | _RequestsFamily] = []
        for name in ("httpx", "httpx2"):
            try:
                lib = importlib.import_module(name)
            except ImportError:
                continue
            self._families.append(_HttpxFamily(lib, handler, allow_network))
        try:
            requests = importlib.import_module("requests")
        except ImportError:
            pass
        else:
            self._families.append(_RequestsFamily(requests, handler, allow_network))

    def install(self) -> None:
        for family in self._families:
            family.install()

    def uninstall(self) -> None:
        for family in reversed(self._families):
            family.uninstall()
