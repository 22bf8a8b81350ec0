"""Acme's gradio-fake plugin: a flaky gateway, a banner message, Gradio 4.40, a canvas.

Written only against ``gradio_fake.hookspecs``, as a third party would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gradio_fake.hookspecs import (
    ComponentKind,
    FaultContext,
    FaultKind,
    FaultParam,
    FaultRequest,
    GradioVersion,
    MessageKind,
    hookimpl,
)

GATEWAY_PAGE = "<html><body><h1>504 Gateway Time-out</h1>acme-gateway</body></html>"


def _gateway_timeout(ctx: FaultContext, request: FaultRequest) -> Any:
    if request.route != ctx.params["route"]:
        return None  # not ours: the Space answers as usual
    return ctx.reply(504, GATEWAY_PAGE, content_type="text/html")


def _banner(ctx: FaultContext) -> None:
    for event_id in ctx.targets():
        ctx.send("acme_banner", {"text": ctx.params["text"]}, event_id=event_id)
    ctx.note(f"banner {ctx.params['text']!r}")


def _banner_shape(fields: Mapping[str, Any], version: GradioVersion) -> Mapping[str, Any]:
    return {"banner": {"text": fields.get("text", ""), "gradio": version.version}}


@hookimpl
def gradio_fake_faults() -> list[FaultKind]:
    return [
        FaultKind(
            "acme_gateway_timeout",
            "Acme's gateway answers a route with an HTML 504 page.",
            params=(FaultParam("route", str, "join", "Which requests.",
                               choices=("join", "data", "info")),
                    FaultParam("times", int, 1, "How many.", minimum=1, optional=True)),
            request=_gateway_timeout),
        FaultKind(
            "acme_banner",
            "Acme's gateway injects a banner message into a job's stream.",
            params=(FaultParam("text", str, "maintenance at noon", "The banner."),),
            strike=_banner),
    ]


@hookimpl
def gradio_fake_message_kinds() -> list[MessageKind]:
    return [MessageKind("acme_banner", "A banner Acme's gateway injects.", _banner_shape)]


@hookimpl
def gradio_fake_versions() -> list[GradioVersion]:
    return [GradioVersion(version="4.40.0", api_prefix="", error_extra_keys=("duration", "visible"),
                          log_extra_keys=("duration", "visible"))]


@hookimpl
def gradio_fake_components(version: str) -> list[ComponentKind]:
    if not version.startswith("4."):
        return []
    return [ComponentKind(
        type="acmecanvas", class_name="Acmecanvas", api_info={"type": "string"},
        python_type="str", python_description="an SVG drawing", example_input="<svg/>",
        is_file=False, skip_api=False, default_props={"value": "", "name": "acmecanvas"})]
