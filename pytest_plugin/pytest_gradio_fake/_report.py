"""What a failing test's report shows: the fake's timeline as a chart, then the journal."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from gradio_fake import FakeGradio
from gradio_fake._chart import render_svg, render_text

__all__ = ["SECTION", "svg_path", "timeline_section", "write_svg"]

SECTION = "gradio-fake timeline"


def timeline_section(fake: FakeGradio) -> str:
    """The chart of every job by virtual time, then ``fake.timeline()`` (the journal)."""
    now = fake.clock.now
    head = f"virtual time at the end: {now:g}s ({fake.clock.datetime.isoformat()}Z)\n\n"
    requests, messages = fake.requests, fake.messages
    if not requests and not messages:
        return head + "no request reached the fake\n"
    chart = render_text(requests, messages, now=now)
    return f"{head}{chart}\n\njournal (fake.timeline()):\n{fake.timeline()}\n"


def svg_path(directory: Path, nodeid: str) -> Path:
    """A file name for a test id that is safe on every OS and unique per id."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_.")[:120]
    digest = hashlib.sha1(nodeid.encode()).hexdigest()[:8]
    return directory / f"{safe}-{digest}.svg"


def write_svg(fake: FakeGradio, directory: Path, nodeid: str) -> Path:
    """Write the SVG picture of the fake's timeline for ``nodeid``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = svg_path(directory, nodeid)
    path.write_text(render_svg(fake.requests, fake.messages, now=fake.clock.now, title=nodeid),
                    encoding="utf-8")
    return path
