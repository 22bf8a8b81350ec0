"""Serve mode: the same fake world on a real loopback HTTP server, for other processes.

Remote clients cannot be stepped, so the virtual clock runs against real time at a
chosen rate (``rate=60``: a virtual minute per real second), and the registration race
of clients before 2.x (PROTOCOL.md trap 8) is avoided the only way possible from
outside the client: an event's first messages wait ``first_message_delay`` real
seconds after its join was answered.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ._http import HttpRequest
from ._realtime import REAL
from ._sse import StreamAborted

if TYPE_CHECKING:
    from ._fake import FakeGradio
    from ._space import Space

__all__ = ["Server", "main"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    """A running loopback HTTP server for a fake; ``url`` is where its Space is served.

    One Space is served at the root; with several, each is served under
    ``/spaces/<owner>/<name>/`` (or ``/spaces/<n>/`` for URL Spaces). The Hub API routes
    are served too, so ``HF_ENDPOINT=<url>`` lets ``Client("owner/name")`` find them.
    """

    def __init__(self, fake: FakeGradio, host: str, port: int, *, rate: float,
                 first_message_delay: float = 0.1) -> None:
        self.fake = fake
        self.rate = rate
        world = fake._world
        self._world = world
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                server._handle(self)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _serve

        self._httpd = _HTTPServer((host, port), Handler)
        bound_host, bound_port = self._httpd.server_address[:2]
        host_text = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        shown = f"[{host_text}]" if ":" in host_text else host_text
        self.base = f"http://{shown}:{bound_port}"
        spaces = list(world.spaces)
        self.mounts: dict[str, Space] = {}
        if len(spaces) == 1:
            self.mounts[""] = spaces[0]
        else:
            for i, space in enumerate(spaces):
                self.mounts[f"/spaces/{space.space_id or i}"] = space
        for prefix, space in self.mounts.items():
            if space.space_id:
                world.hub.hosts[space.space_id] = self.base + prefix
        world.serving_delay = first_message_delay
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                             name="gradio-fake-http", daemon=True),
            threading.Thread(target=self._tick, name="gradio-fake-clock", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def url(self) -> str:
        """Where the (first) Space is served, with a trailing slash."""
        return self.base + next(iter(self.mounts)) + "/"

    def _tick(self) -> None:
        """Move virtual time with real time, and deliver what waited for its delay."""
        world = self._world
        real0, virtual0 = REAL.monotonic(), world.clock.now
        while not self._stop.is_set():
            target = virtual0 + (REAL.monotonic() - real0) * self.rate
            try:
                world.run_until(max(target, world.clock.now))
            except Exception as exc:
                print(f"gradio-fake: clock: {exc}", file=sys.stderr)
            self._stop.wait(0.01)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        path = handler.path
        target = None
        for prefix, space in sorted(self.mounts.items(), key=lambda kv: -len(kv[0])):
            if not prefix or path == prefix or path.startswith(prefix + "/"):
                target = space.root.rstrip("/") + (path[len(prefix):] or "/")
                break
        if path.startswith("/api/"):
            target = "https://huggingface.co" + path
        assert target is not None
        headers = {k.lower(): v for k, v in handler.headers.items()}
        reply = self._world.handle(HttpRequest(handler.command, target, headers, body))
        if reply is None:
            reply_status, reply_headers, reply_body = 404, {"content-type": "application/json"}, \
                b'{"detail":"Not Found"}'
            reply_headers["content-length"] = str(len(reply_body))
            stream = None
        else:
            reply_status, reply_headers, reply_body = reply.status, reply.headers, reply.body
            stream = reply.stream
        handler.send_response(reply_status)
        for key, value in reply_headers.items():
            if key.lower() not in ("content-length", "transfer-encoding"):
                handler.send_header(key, value)
        if stream is None:
            handler.send_header("content-length", str(len(reply_body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(reply_body)
            return
        if hasattr(stream, "remote"):
            stream.remote = True
        handler.send_header("transfer-encoding", "chunked")
        handler.end_headers()
        try:
            for chunk in _iterate(stream):
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                handler.wfile.flush()
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except StreamAborted:
            handler.close_connection = True  # no final chunk: the client sees a cut body
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        finally:
            stream.close()

    def close(self) -> None:
        """Stop serving (the fake itself stays active until its context ends)."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        for thread in self._threads:
            thread.join(5)


class _HTTPServer(ThreadingHTTPServer):
    # Handler threads are joined on close (no thread outlives the fake).
    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that went away: nothing to report
        super().handle_error(request, client_address)


def _iterate(stream: Any) -> Iterator[bytes]:
    yield from stream


def main(argv: list[str]) -> int:
    """``gradio-fake serve SCENARIO [--host H] [--port P] [--rate R]``."""
    from ._errors import GradioFakeError
    from ._fake import FakeGradio
    from ._scenario import load_scenario

    parser = argparse.ArgumentParser(
        prog="gradio-fake serve",
        description="Serve a scenario's Space on a real loopback HTTP server, with its "
                    "virtual clock running at RATE virtual seconds per real second.")
    parser.add_argument("scenario", help="a bundled scenario name or a .toml file")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--rate", type=float, default=1.0,
                        help="virtual seconds per real second (default 1)")
    parser.add_argument("--allow-non-loopback", action="store_true",
                        help="allow binding an address other than loopback")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after this many real seconds (default: until Ctrl-C)")
    args = parser.parse_args(argv)
    if not is_loopback(args.host) and not args.allow_non_loopback:
        print(f"gradio-fake: error: refusing to serve on {args.host}, which is not a loopback "
              f"address; pass --allow-non-loopback to do it anyway", file=sys.stderr)
        return 2
    if args.rate <= 0:
        print("gradio-fake: error: --rate must be > 0", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except (GradioFakeError, TypeError) as exc:
        print(f"gradio-fake: error: {exc}", file=sys.stderr)
        return 2
    with FakeGradio(seed=getattr(scenario, "seed", 0)) as fake:
        scenario.apply(fake)
        try:
            server = fake.serve(args.host, args.port, rate=args.rate,
                                allow_non_loopback=args.allow_non_loopback)
        except OSError as exc:
            print(f"gradio-fake: error: cannot listen on {args.host}:{args.port}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"serving {scenario.name} at {server.url} (virtual clock x{args.rate:g}); "
              f"Ctrl-C to stop", flush=True)
        try:
            if args.seconds is None:
                threading.Event().wait()
            else:
                REAL.sleep(args.seconds)
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    return 0

