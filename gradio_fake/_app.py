"""The protocol layer: one fake Space's HTTP routes and SSE messages, per Gradio version.

It knows the wire format (config, info, queue/join, queue/data, cancel, reset,
heartbeat, upload, file=) and nothing of time policy: the simulator decides
when things happen; the world decides when the client can take them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
from collections.abc import Sequence
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._components import ComponentKind, component_kind, default_value
from ._diff import diff
from ._hooks import shape_extra
from ._http import HttpReply, HttpRequest, json_reply
from ._model import EndpointSpec, Error
from ._simulator import CallPlan, QueueFull, QueueSim, SimMessage, ValidationFailed
from ._sse import Outgoing, SessionChannel, SseConnection, StreamAborted, frame

if TYPE_CHECKING:
    from ._space import Space
    from ._world import World

__all__ = ["AppServer"]

_SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}


def _jsonable(value: Any) -> Any:
    """Values as they would look after a JSON round trip (tuples become lists)."""
    return json.loads(json.dumps(value, default=str))


class AppServer:
    """Serves one :class:`~gradio_fake.Space` (its routes, sessions and queue)."""

    def __init__(self, space: Space, world: World) -> None:
        self.space = space
        self.world = world
        self.version = space.version
        self.prefix = self.version.api_prefix
        self.channels: dict[str, SessionChannel] = {}
        self.sim = QueueSim(
            scheduler=world.scheduler,
            version=self.version,
            endpoints=lambda: space.endpoints,
            emit=self._on_message,
            plan_call=self._plan_call,
            postprocess=self._postprocess,
            new_id=world.new_event_id,
            seed=world.seed,
            name=space.root,
            max_size=space.max_size,
            quirks=space.quirks,
        )
        self._gen_state: dict[str, list[Any]] = {}
        self.load_started = False
        self._files: dict[str, Path] = {}
        self._kinds: dict[str, ComponentKind] = {}

    # -- components and config -----------------------------------------------------
    def _kind(self, type_name: str) -> ComponentKind:
        """A fresh description of a component (callers may embed or change its dicts)."""
        return component_kind(type_name, self.version.version)

    def _kind_facts(self, type_name: str) -> ComponentKind:
        """The same, shared and read-only: for lookups on every message."""
        kind = self._kinds.get(type_name)
        if kind is None:
            kind = self._kinds[type_name] = self._kind(type_name)
        return kind

    def _component_ids(self) -> list[tuple[EndpointSpec, list[int], list[int]]]:
        out = []
        next_id = 1
        for ep in self.space.endpoints:
            ins = list(range(next_id, next_id + len(ep.inputs)))
            next_id += len(ep.inputs)
            outs = list(range(next_id, next_id + len(ep.outputs)))
            next_id += len(ep.outputs)
            out.append((ep, ins, outs))
        return out

    def config(self) -> dict[str, Any]:
        v = self.version
        components = []
        dependencies = []
        for ep, ins, outs in self._component_ids():
            for cid, spec in zip(ins + outs, ep.inputs + ep.outputs, strict=True):
                kind = self._kind(spec.type)
                props = dict(kind.default_props)
                props.update({"label": spec.label, "show_label": True, "visible": True,
                              "name": kind.type})
                components.append({
                    "id": cid, "type": kind.type, "props": props, "skip_api": kind.skip_api,
                    "component_class_id": hashlib.sha1(kind.type.encode()).hexdigest()[:16],
                    "key": None, "api_info": kind.api_info,
                })
            dep: dict[str, Any] = {
                "id": ep.fn_index, "targets": [], "inputs": ins, "outputs": outs,
                "backend_fn": True, "js": None, "queue": None,
                "api_name": ep.api_name if ep.api_name else False,
                "scroll_to_output": False, "show_progress": "full", "batch": False,
                "max_batch_size": 4, "cancels": [],
                "types": {"generator": ep.is_generator, "cancel": False},
                "collects_event_data": False, "trigger_after": None,
                "trigger_only_on_success": False, "trigger_mode": "once",
                "show_api": ep.show_api, "zerogpu": False,
            }
            if v.info_api_visibility:
                dep["api_visibility"] = "public" if ep.show_api else "undocumented"
            dependencies.append(dep)
        config: dict[str, Any] = {
            "version": v.version, "mode": "blocks", "app_id": self.space.app_id,
            "dev_mode": False, "analytics_enabled": False, "components": components,
            "css": None, "connect_heartbeat": self._has_state(), "js": None, "head": None,
            "title": "Gradio", "is_space": self.space.is_hub_space, "enable_queue": True,
            "show_error": self.space.show_error, "show_api": True, "is_colab": False,
            "max_file_size": self.space.max_file_size, "stylesheets": [], "theme": "default",
            "protocol": v.protocol, "body_css": {}, "fill_height": False, "layout": {
                "id": 0, "children": [{"id": c["id"]} for c in components]},
            "dependencies": dependencies, "root": self.space.root.rstrip("/"),
            "username": None,
        }
        if v.api_prefix:
            config["api_prefix"] = v.api_prefix
        return config

    def _has_state(self) -> bool:
        """Gradio asks clients for a heartbeat only when the app keeps session state."""
        return any(spec.type == "state" for ep in self.space.endpoints
                   for spec in ep.inputs + ep.outputs)

    def info(self) -> dict[str, Any]:
        named: dict[str, Any] = {}
        unnamed: dict[str, Any] = {}
        for ep in self.space.endpoints:
            entry = self._info_entry(ep)
            if ep.api_name:
                named[f"/{ep.api_name}"] = entry
            else:
                unnamed[str(ep.fn_index)] = entry
        return {"named_endpoints": named, "unnamed_endpoints": unnamed}

    def _info_entry(self, ep: EndpointSpec) -> dict[str, Any]:
        names = self._parameter_names(ep)
        params = []
        for spec, name in zip(ep.inputs, names, strict=True):
            kind = self._kind(spec.type)
            if kind.skip_api:
                continue
            params.append({
                "label": spec.label, "parameter_name": name, "parameter_has_default": False,
                "parameter_default": None, "type": kind.api_info,
                "python_type": {"type": kind.python_type, "description": kind.python_description},
                "component": kind.class_name, "example_input": kind.example_input,
            })
        returns = []
        for spec in ep.outputs:
            kind = self._kind(spec.type)
            if kind.skip_api:
                continue
            returns.append({
                "label": spec.label, "type": kind.api_info,
                "python_type": {"type": kind.python_type, "description": kind.python_description},
                "component": kind.class_name,
            })
        entry: dict[str, Any] = {"parameters": params, "returns": returns}
        if self.version.info_api_visibility:
            entry["api_visibility"] = "public" if ep.show_api else "undocumented"
            entry["description"] = ""
        else:
            entry["show_api"] = ep.show_api
        return entry

    @staticmethod
    def _parameter_names(ep: EndpointSpec) -> list[str]:
        if ep.fn is not None:
            try:
                sig = inspect.signature(ep.fn)
                names = [p.name for p in sig.parameters.values()
                         if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                if len(names) >= len(ep.inputs):
                    return names[: len(ep.inputs)]
            except (TypeError, ValueError):
                pass
        names = []
        for i, spec in enumerate(ep.inputs):
            base = re.sub(r"\W+", "_", spec.label.strip().lower()).strip("_") or f"param_{i}"
            if base in names:
                base = f"{base}_{i}"
            names.append(base)
        return names

    # -- routing -------------------------------------------------------------------
    def handle(self, req: HttpRequest, rel_path: str) -> HttpReply:
        """Answer one request; ``rel_path`` is its path relative to the Space's root."""
        method = req.method.upper()
        if rel_path in ("/config", "/config/") and method == "GET":
            return json_reply(200, self.config())
        if rel_path == "/" and method == "GET":
            body = ("<!doctype html><html><head><script>window.gradio_config = "
                    + json.dumps(self.config()) + ";</script></head><body></body></html>")
            return HttpReply(200, {"content-type": "text/html"}, body.encode())
        if self.prefix:
            if not rel_path.startswith(self.prefix + "/"):
                return json_reply(404, {"detail": "Not Found"})
            rel_path = rel_path[len(self.prefix):]
        if rel_path == "/info" and method == "GET":
            return json_reply(200, self.info())
        if rel_path == "/queue/join" and method == "POST":
            return self._join(req)
        if rel_path == "/queue/data" and method == "GET":
            return self._data_stream(req)
        if rel_path.startswith("/heartbeat/") and method == "GET":
            return self._heartbeat(rel_path[len("/heartbeat/"):])
        if rel_path == "/cancel" and method == "POST":
            return self._cancel(req)
        if rel_path == "/reset" and method == "POST":
            return self._reset(req)
        if rel_path == "/upload" and method == "POST":
            return self._upload(req)
        if rel_path.startswith("/file=") and method in ("GET", "HEAD"):
            return self._file(unquote(rel_path[len("/file="):]))
        return json_reply(404, {"detail": "Not Found"})

    # -- queue ---------------------------------------------------------------------
    def _body(self, req: HttpRequest) -> tuple[dict[str, Any] | None, HttpReply | None]:
        try:
            body = req.json()
        except (ValueError, UnicodeDecodeError) as exc:
            return None, json_reply(422, {"detail": [{
                "type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error",
                "input": {}, "ctx": {"error": str(exc)}}]})
        if not isinstance(body, dict):
            return None, json_reply(422, {"detail": [{
                "type": "model_attributes_type", "loc": ["body"],
                "msg": "Input should be a valid dictionary or object to extract fields from",
                "input": body}]})
        return body, None

    @staticmethod
    def _missing(body: dict[str, Any], fields: Sequence[tuple[str, type]]) -> HttpReply | None:
        """FastAPI's 422 for missing or mistyped body fields, as Gradio's pydantic models give."""
        errors: list[dict[str, Any]] = []
        names: dict[type, str] = {str: "string", list: "list"}
        for name, typ in fields:
            value = body.get(name)
            if name not in body:
                errors.append({"type": "missing", "loc": ["body", name],
                               "msg": "Field required", "input": body})
            elif typ is int and (isinstance(value, bool) or not isinstance(value, int)):
                errors.append({"type": "int_parsing", "loc": ["body", name],
                               "msg": "Input should be a valid integer, unable to parse "
                                      "string as an integer", "input": value})
            elif not isinstance(value, typ):
                kind = names.get(typ, typ.__name__)
                errors.append({"type": f"{kind}_type", "loc": ["body", name],
                               "msg": f"Input should be a valid {kind}", "input": value})
        return json_reply(422, {"detail": errors}) if errors else None

    def endpoint_for(self, fn_index: int) -> EndpointSpec | None:
        for ep in self.space.endpoints:
            if ep.fn_index == fn_index:
                return ep
        return None

    def _join(self, req: HttpRequest) -> HttpReply:
        body, error = self._body(req)
        if body is None:
            assert error is not None
            return error
        # Gradio's PredictBody: only data is required by the model; the route checks the rest.
        typed = [("data", list)] + [(k, t) for k, t in (("fn_index", int), ("session_hash", str))
                                    if body.get(k) is not None]
        bad = self._missing(body, typed)
        if bad is not None:
            return bad
        if body.get("session_hash") is None:
            return json_reply(400, {"detail": "Session hash not found."})
        if body.get("fn_index") is None:
            return json_reply(400, {"detail": "No function index provided."})
        ep = self.endpoint_for(body["fn_index"])
        if ep is None:  # an uncaught KeyError in Gradio's get_fn
            return HttpReply(500, {"content-type": "text/plain; charset=utf-8"},
                             b"Internal Server Error")
        if self.sim.stopped:
            return json_reply(503, {"detail": "Queue is stopped."})
        session = body["session_hash"]
        with self.world.lock:
            if ep.validator is not None and self.version.validators:
                failures = self._validate(ep, body["data"])
                if failures:
                    return json_reply(422, {"detail": failures})
            self.channels.setdefault(session, SessionChannel(session))
            try:
                job = self.sim.join(session, ep, body["data"])
            except QueueFull as full:
                return json_reply(503, {"detail": str(full)})
            except ValidationFailed as failed:
                return json_reply(422, {"detail": failed.details})
            self.world.on_join(self, session, job.event_id, ep)
        return json_reply(200, {"event_id": job.event_id})

    def _validate(self, ep: EndpointSpec, data: list[Any]) -> list[dict[str, Any]]:
        assert ep.validator is not None
        verdict = ep.validator(*self._inputs_for_fn(ep, data))
        if not verdict:
            return []
        names = [n for n, spec in zip(self._parameter_names(ep), ep.inputs, strict=True)
                 if not self._kind_facts(spec.type).skip_api]
        if isinstance(verdict, str):
            verdict = {names[0] if names else "input": verdict}
        out = []
        for name in names:
            if name in verdict:
                out.append({"__type__": "validate", "is_valid": False,
                            "message": str(verdict[name]), "parameter_name": name})
            else:
                out.append({"__type__": "validate", "is_valid": True, "message": "",
                            "parameter_name": name})
        return out

    def _data_stream(self, req: HttpRequest) -> HttpReply:
        session = req.query.get("session_hash")
        if not session:
            return json_reply(422, {"detail": [{"type": "missing",
                                                "loc": ["query", "session_hash"],
                                                "msg": "Field required", "input": None}]})
        with self.world.lock:
            channel = self.channels.get(session)
            if channel is None:
                return HttpReply(200, dict(_SSE_HEADERS), stream=self._unknown_session())
            conn = SseConnection(self.world.lock, self.world.reader_parked,
                                 lambda events: self.world.on_taken(self, session, events),
                                 self.world.driver_blocked)
            channel.connection = conn
            self.world.on_stream_open(self, session, conn)
            self.pump(channel)
        return HttpReply(200, dict(_SSE_HEADERS), stream=conn)

    def _unknown_session(self) -> SseConnection:
        """Gradio answers a stream for a session that never joined with one error, then
        aborts the response."""
        payload: dict[str, Any] = {"msg": "unexpected_error"}
        if self.version.null_event_ids:
            payload["event_id"] = None
        if self.version.major >= 5:
            payload.update(message="404: Not Found", session_not_found=True)
        else:
            payload["message"] = "404: Session not found."
        payload["success"] = False
        conn = SseConnection(self.world.lock, self.world.changed, lambda events: None)
        conn.push(frame(payload), [])
        conn.end(StreamAborted("session not found"))
        return conn

    def _heartbeat(self, session: str) -> HttpReply:
        return HttpReply(200, dict(_SSE_HEADERS),
                         stream=self.world.heartbeat_stream(self, session))

    def _cancel(self, req: HttpRequest) -> HttpReply:
        body, error = self._body(req)
        if body is None:
            assert error is not None
            return error
        bad = self._missing(body, [("fn_index", int), ("session_hash", str),
                                   ("event_id", str)])
        if bad is not None:
            return bad
        with self.world.lock:
            self.sim.cancel(body["session_hash"], body["fn_index"], body["event_id"])
            self.world.changed()
        return json_reply(200, {"success": True})

    def _reset(self, req: HttpRequest) -> HttpReply:
        body, error = self._body(req)
        if body is None:
            assert error is not None
            return error
        event_id = body.get("event_id")
        if not isinstance(event_id, str):
            return json_reply(422, {"detail": [{"type": "string_type",
                                                "loc": ["body", "event_id"],
                                                "msg": "Input should be a valid string",
                                                "input": event_id}]})
        with self.world.lock:
            for channel in self.channels.values():
                if any(out.event_id == event_id for out in channel.outbox + channel.history):
                    channel.resets.add(event_id)
            result = self.sim.reset(event_id)
            self.world.changed()
        return json_reply(200, {"success": result})

    # -- files ---------------------------------------------------------------------
    def _upload(self, req: HttpRequest) -> HttpReply:
        ctype = req.headers.get("content-type", "")
        if "multipart/form-data" not in ctype:
            return json_reply(400, {"detail": "Expected multipart/form-data"})
        message = BytesParser(policy=HTTP).parsebytes(
            b"content-type: " + ctype.encode() + b"\r\n\r\n" + req.body)
        paths = []
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") != "files":
                continue
            name = os.path.basename(part.get_filename() or "file")
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            if (self.space.max_file_size is not None
                    and len(content) > self.space.max_file_size):
                return json_reply(413, {"detail": "File too large"})
            paths.append(str(self.world.store_upload(name, content)))
        if not paths:
            return json_reply(422, {"detail": [{"type": "missing", "loc": ["body", "files"],
                                                "msg": "Field required", "input": None}]})
        for p in paths:
            self._files[p] = Path(p)
        return json_reply(200, paths)

    def _file(self, path: str) -> HttpReply:
        local = self._files.get(path)
        if local is None:
            return json_reply(403, {"detail": f"File not allowed: {path}."})
        try:
            data = local.read_bytes()
        except OSError:
            if self.version.major >= 5:
                return json_reply(403, {"detail": f"File not allowed: {path}."})
            return json_reply(404, {"detail": "File not found"})
        return HttpReply(200, {"content-type": "application/octet-stream",
                               "content-length": str(len(data))}, data)

    def _file_data(self, value: Any) -> Any:
        """A file output as the FileData dict Gradio sends (and serves under ``file=``)."""
        if isinstance(value, dict) or value is None:
            return value
        path = os.path.abspath(os.fspath(value))
        self._files[path] = Path(path)
        size = os.path.getsize(path) if os.path.exists(path) else None
        root = self.space.root.rstrip("/") + self.prefix
        return {"path": path, "url": f"{root}/file={path}", "size": size,
                "orig_name": os.path.basename(path), "mime_type": None, "is_stream": False,
                "meta": {"_type": "gradio.FileData"}}

    # -- calls ---------------------------------------------------------------------
    def _inputs_for_fn(self, ep: EndpointSpec, data: list[Any]) -> list[Any]:
        values = []
        for spec, value in zip(ep.inputs, data, strict=False):
            if self._kind_facts(spec.type).is_file and isinstance(value, dict) and "path" in value:
                value = value["path"]
            values.append(value)
        return values

    def _postprocess(self, ep: EndpointSpec, raw: Any) -> list[Any]:
        n = len(ep.outputs)
        if n == 1:
            values = [raw]
        elif isinstance(raw, (tuple, list)) and len(raw) == n:
            values = list(raw)
        else:
            got = len(raw) if isinstance(raw, (tuple, list)) else 1
            raise _OutputMismatch(f"A function ({ep.route}) didn't return enough output values "
                                  f"(needed: {n}, returned: {got}).")
        out = []
        for spec, value in zip(ep.outputs, values, strict=True):
            if self._kind_facts(spec.type).is_file:
                value = self._file_data(value)
            out.append(_jsonable(value))
        return out

    def _plan_call(self, ep: EndpointSpec, data: list[Any]) -> CallPlan:
        if len(data) < len(ep.inputs):  # too many are ignored, as Gradio does
            return CallPlan([], None, None, plain_error=(
                f"An event handler ({ep.route}) didn't receive enough input values "
                f"(needed: {len(ep.inputs)}, got: {len(data)})."), error_is_plain=True)
        data = data[: len(ep.inputs)]
        yields: list[list[Any]] = []
        try:
            if ep.fn is not None and inspect.isgeneratorfunction(ep.fn):
                for item in ep.fn(*self._inputs_for_fn(ep, data)):
                    yields.append(self._postprocess(ep, item))
                outputs = yields[-1] if yields else self._defaults(ep)
            else:
                for item in ep.yields:
                    yields.append(self._postprocess(ep, item))
                if ep.fn is not None:
                    outputs = self._postprocess(ep, ep.fn(*self._inputs_for_fn(ep, data)))
                elif ep.has_result:
                    outputs = self._postprocess(ep, ep.result)
                elif yields:
                    outputs = yields[-1]
                else:
                    outputs = self._defaults(ep)
        except Error as exc:
            return CallPlan(yields, None, exc)
        except Exception as exc:
            self.world.record_user_error(ep, exc)
            return CallPlan(yields, None, None, plain_error=str(exc), error_is_plain=True)
        return CallPlan(yields, outputs, ep.error)

    def _defaults(self, ep: EndpointSpec) -> list[Any]:
        return [_jsonable(default_value(self._kind_facts(spec.type))) for spec in ep.outputs]

    # -- messages ------------------------------------------------------------------
    def _on_message(self, msg: SimMessage) -> None:
        channel = self.channels.get(msg.session or "")
        if channel is None:
            return
        payload = self.shape(msg)
        channel.post(Outgoing(msg.time, msg.event_id, payload, msg.terminal, msg.gate))
        self.world.on_message(self, msg, payload)

    def shape(self, msg: SimMessage) -> dict[str, Any]:
        """The exact JSON the emulated version sends for a simulator message."""
        v = self.version
        f = msg.fields
        base: dict[str, Any] = {"msg": msg.kind, "event_id": msg.event_id}
        if msg.kind == "estimation":
            base.update(rank=f["rank"], queue_size=f["queue_size"], rank_eta=f["rank_eta"])
        elif msg.kind == "process_starts":
            base.update(eta=f["eta"])
        elif msg.kind == "progress":
            base.update(progress_data=f["progress_data"])
        elif msg.kind == "log":
            base.update(log=f["log"], level=f["level"])
            extras = {"duration": 10.0, "visible": True, "title": str(f["level"]).capitalize()}
            for key in v.log_extra_keys:
                base[key] = extras[key]
        elif msg.kind == "process_generating":
            data = f["data"]
            previous = self._gen_state.get(msg.event_id)
            self._gen_state[msg.event_id] = data
            sent = data if previous is None or v.protocol == "sse_v1" else [
                diff(old, new) for old, new in zip(previous, data, strict=False)]
            output: dict[str, Any] = {"data": sent, "is_generating": True,
                                      "duration": None, "average_duration": None,
                                      "render_config": None, "changed_state_ids": []}
            if v.completed_cache_fields:
                output["used_cache"] = None
            base.update(output=output, success=True)
            if v.generating_time_limit:
                base["time_limit"] = None
        elif msg.kind == "process_completed":
            self._gen_state.pop(msg.event_id, None)
            base.update(self._completion(msg))
        else:  # a kind from a plugin (gradio_fake_message_kinds hook), or sent bare
            base.update(shape_extra(msg.kind, f, v))
        return base

    def _completion(self, msg: SimMessage) -> dict[str, Any]:
        """``process_completed`` fields per version (docs/research/gradio-server-semantics.md)."""
        v = self.version
        f = msg.fields
        title: str | None = None
        duration: float | None = None
        average: float | None = None
        if f.get("cancelled"):
            out: dict[str, Any] = {"output": {}, "success": True}
        elif "error" in f:
            err: Error = f["error"]
            # Gradio 4 sends a gr.Error's message repr-quoted ('boom').
            output: dict[str, Any] = {"error": repr(err.message) if v.major == 4
                                      else err.message}
            extras = {"duration": err.duration, "visible": err.visible, "title": err.title}
            for key in v.error_extra_keys:
                output[key] = extras[key]
            out = {"output": output, "success": False}
            title = err.title
        elif "plain_error" in f:
            output = {"error": f["plain_error"] if self.space.show_error else None}
            if v.completed_cache_fields and self.space.show_error:
                output["visible"] = True
            out = {"output": output, "success": False}
            title = "Error"
        else:
            job = self.sim.jobs.get(msg.event_id)
            if job is not None and job.started_at is not None:
                duration = msg.time - job.started_at
                average = self.sim.avg_time(job.endpoint.fn_index) or duration
            output = {"data": f["data"], "is_generating": False, "duration": duration,
                      "average_duration": average, "render_config": None,
                      "changed_state_ids": []}
            if v.completed_cache_fields:
                output["used_cache"] = None
            out = {"output": output, "success": True}
        if v.completed_title:
            out["title"] = title
        if v.completed_cache_fields:
            out.update(used_cache=None, cache_duration=duration, avg_time=average)
        return out

    def stop_server(self) -> None:
        """The app stops: every open stream gets "Server stopped unexpectedly." and is cut."""
        payload: dict[str, Any] = {"msg": "unexpected_error"}
        if self.version.null_event_ids:
            payload["event_id"] = None
        payload["message"] = "Server stopped unexpectedly."
        if self.version.major >= 5:
            payload["session_not_found"] = False
        payload["success"] = False
        self.sim.stop()
        for channel in self.channels.values():
            conn = channel.connection
            channel.outbox.clear()
            if conn is None or conn.client_closed or conn.ending:
                continue
            conn.push(frame(payload), [])
            conn.end(StreamAborted("server stopped (gradio-fake fault: server_stopped)"))

    def close_payload(self) -> dict[str, Any]:
        return ({"msg": "close_stream", "event_id": None} if self.version.null_event_ids
                else {"msg": "close_stream"})

    def pump(self, channel: SessionChannel) -> bool:
        return channel.pump(
            lambda out: self.world.can_deliver(self, channel, out),
            lambda: not self.sim.pending_events(channel.session),
            self.close_payload(),
        )


class _OutputMismatch(Exception):
    pass

