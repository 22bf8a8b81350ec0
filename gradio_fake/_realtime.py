"""The real clocks, captured before any fake time can replace them.

They live as attributes of an object, not of a module, so that no
module-attribute scan (freezegun's or ours) ever swaps them for fakes.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

REAL = SimpleNamespace(
    monotonic=time.monotonic,
    perf_counter=time.perf_counter,
    sleep=time.sleep,
    time=time.time,
)
