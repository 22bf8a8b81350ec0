"""Running gradio_fake inside a real-Gradio environment without installing it there.

Shared by the differential test and benchmarks/vs_real.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: gradio_fake's pure-Python dependencies a real-Gradio venv may lack.
DEPENDENCIES = ("freezegun", "pluggy", "dateutil", "six", "tomli")


def overlay(folder: Path) -> Path:
    """A directory in ``folder`` linking gradio_fake's pure-Python dependencies from this
    interpreter's environment: put it (and the repository) on the other venv's
    PYTHONPATH."""
    target_dir = folder / "overlay"
    target_dir.mkdir()
    for name in DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        target = source.parent if source.name == "__init__.py" else source
        (target_dir / target.name).symlink_to(target)
    return target_dir
