"""Edit lists for generator outputs under sse_v2, sse_v2.1 and sse_v3.

The client applies each ``[action, path, value]`` in order to a copy of the
previous value (``gradio_client.utils.apply_diff``). We emit the same actions
Gradio does — ``append`` for a grown string, ``add``/``delete`` for list items and
dict keys, ``replace`` otherwise — with list deletes highest index first, so that
sequential application is always valid (Gradio 4.x sent them unshifted).
"""

from __future__ import annotations

from typing import Any

__all__ = ["diff"]

Edit = list[Any]


def diff(old: Any, new: Any, path: tuple[Any, ...] = ()) -> list[Edit]:
    """Edits that turn ``old`` into ``new`` (both JSON values)."""
    if type(old) is type(new) and old == new:
        return []
    if isinstance(old, str) and isinstance(new, str) and new.startswith(old):
        return [["append", list(path), new[len(old):]]]
    if isinstance(old, list) and isinstance(new, list):
        edits: list[Edit] = []
        for i in range(min(len(old), len(new))):
            edits.extend(diff(old[i], new[i], (*path, i)))
        for i in range(len(old), len(new)):
            edits.append(["add", [*path, i], new[i]])
        for i in reversed(range(len(new), len(old))):
            edits.append(["delete", [*path, i], None])
        return edits
    if isinstance(old, dict) and isinstance(new, dict):
        edits = []
        for key in new:
            if key in old:
                edits.extend(diff(old[key], new[key], (*path, key)))
            else:
                edits.append(["add", [*path, key], new[key]])
        for key in old:
            if key not in new:
                edits.append(["delete", [*path, key], None])
        return edits
    return [["replace", list(path), new]]
