"""The few Hugging Face Hub API routes that ``Client("owner/name")`` uses.

``space_info`` (``GET /api/spaces/{id}``) gives the Space's host, ``get_space_runtime``
(``GET /api/spaces/{id}/runtime``) its stage, and telemetry (``HEAD
/api/telemetry/…``) is answered here so that nothing leaves the process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._errors import NeverEndingWait
from ._http import HttpReply, HttpRequest, json_reply

if TYPE_CHECKING:
    from ._space import Space

__all__ = ["HUB_ORIGINS", "HubApi"]

HUB_ORIGINS = ("https://huggingface.co", "https://hf.co")
_SPACE_ROUTE = re.compile(r"^/api/spaces/([^/]+/[^/]+?)(/runtime)?/?$")


class HubApi:
    """Answers Hub API requests from the Spaces declared in a fake."""

    def __init__(self, spaces: Callable[[], dict[str, Space]],
                 now: Callable[[], float] = lambda: 0.0) -> None:
        self._spaces = spaces
        self._now = now
        #: Space id -> the host to report instead of its ``*.hf.space`` one (serve mode).
        self.hosts: dict[str, str] = {}

    def stage(self, space: Space) -> str:
        """The Space's stage now: a BUILDING Space with ``ready_at`` runs from then on."""
        if space.stage != "BUILDING":
            return space.stage
        if space.ready_at is None:
            # gradio_client polls a BUILDING Space every 2 s for as long as it takes.
            raise NeverEndingWait(
                f"Space {space.space_id} is BUILDING and nothing will ever change that, so "
                f"Client() would poll it forever; give fake.space(..., stage='BUILDING', "
                f"ready_at=<virtual seconds>) to have it start running then")
        return "BUILDING" if self._now() < space.ready_at else "RUNNING"

    def handle(self, req: HttpRequest) -> HttpReply | None:
        path = req.path
        if path.startswith("/api/telemetry/"):
            return HttpReply(200, {"content-length": "0"})
        match = _SPACE_ROUTE.match(path)
        if match is None or req.method.upper() not in ("GET", "HEAD"):
            return None
        space_id, runtime = match.group(1), match.group(2)
        space = self._spaces().get(space_id)
        if space is None:
            return json_reply(404, {"error": "Repository not found"},
                              {"x-error-code": "RepoNotFound",
                               "x-error-message": "Repository not found"})
        if runtime:
            return json_reply(200, self._runtime(space))
        sha = hashlib.sha1(space_id.encode()).hexdigest()
        owner = space_id.split("/", 1)[0]
        host = self.hosts.get(space_id, space.root.rstrip("/"))
        return json_reply(200, {
            "_id": sha[:24], "id": space_id, "author": owner, "sha": sha,
            "createdAt": "2025-01-01T00:00:00.000Z", "lastModified": "2025-01-01T00:00:00.000Z",
            "private": space.private, "gated": False, "disabled": False,
            "host": host, "subdomain": host.split("//", 1)[1].split(".", 1)[0].split(":")[0],
            "likes": 0, "sdk": "gradio", "tags": ["gradio"], "siblings": [],
            "runtime": self._runtime(space), "cardData": {"sdk": "gradio"},
        })

    def _runtime(self, space: Space) -> dict[str, object]:
        return {"stage": self.stage(space),
                "hardware": {"current": "cpu-basic", "requested": "cpu-basic"},
                "storage": None, "gcTimeout": 172800,
                "replicas": {"current": 1, "requested": 1}}
