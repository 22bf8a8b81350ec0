"""Projecting the virtual clock into ``time`` and ``datetime`` (and intercepting ``time.sleep``).

freezegun supplies the fake functions and classes (``FakeDatetime``, ``fake_time``,
``fake_monotonic``…) and their semantics, including its ignore list, which makes
calls from ``threading``, ``queue`` and friends see real time so that their
timeouts keep working. What we do differently is the patching: freezegun scans
every loaded module on every ``start()`` (about 15 ms with ~800 modules), which is
more than a whole test should cost. We scan each module once per process, remember
where the real functions were found, and on later activations only patch those
places plus whatever modules were imported since. Deactivation restores exactly
what was patched, so nothing is left behind between fakes.
"""

from __future__ import annotations

import asyncio
import copyreg
import datetime
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable
from typing import Any

from freezegun import api as fz

from ._errors import GradioFakeError
from ._realtime import REAL

__all__ = ["TimeProjection", "projection"]

# Modules whose own calls must see real time (freezegun's defaults) and ours.
_IGNORE = (
    "nose.plugins",
    "six.moves",
    "django.utils.six.moves",
    "google.gax",
    "threading",
    "multiprocessing",
    "queue",
    "selenium",
    "_pytest.terminal.",
    "_pytest.runner.",
    "gi",
    "prompt_toolkit",
    "gradio_fake",
    "asyncio",
    "concurrent.futures",
    # Real I/O deadlines stay real: a subprocess or socket timeout is not virtual.
    "subprocess",
    "selectors",
    "socket",
    "socketserver",
    "http.server",
    "ssl",
)


# Modules whose attributes are never replaced: the ignore list, and freezegun itself
# (its ``real_*`` attributes must stay real).
# The test runner's own references stay real too (durations, junit times), without putting
# it on the ignore list, which would make every test function see real time.
_NEVER_PATCH = (*_IGNORE, "freezegun", "_pytest", "pytest", "pluggy", "xdist", "execnet")

_TIME_FUNCTIONS = (
    "time", "monotonic", "perf_counter", "localtime", "gmtime", "strftime",
    "time_ns", "monotonic_ns", "perf_counter_ns",
)


def _fake_pairs() -> list[tuple[Any, Any]]:
    pairs: list[tuple[Any, Any]] = [
        (fz.real_date, fz.FakeDate),
        (fz.real_datetime, fz.FakeDatetime),
        (fz.real_gmtime, fz.fake_gmtime),
        (fz.real_localtime, fz.fake_localtime),
        (fz.real_monotonic, fz.fake_monotonic),
        (fz.real_perf_counter, fz.fake_perf_counter),
        (fz.real_strftime, fz.fake_strftime),
        (fz.real_time, fz.fake_time),
    ]
    for name in ("time_ns", "monotonic_ns", "perf_counter_ns"):
        real = getattr(fz, f"real_{name}", None)
        fake = getattr(fz, f"fake_{name}", None)
        if real is not None and fake is not None:
            pairs.append((real, fake))
    return pairs


class _Factory:
    """What freezegun calls to learn the frozen time: our virtual clock, as naive UTC."""

    def __init__(self, now: Callable[[], datetime.datetime]) -> None:
        self._now = now

    def __call__(self) -> datetime.datetime:
        return self._now()

    # freezegun's API on factories; gradio-fake moves time only through its clock.
    def tick(self, delta: Any = None) -> datetime.datetime:
        raise GradioFakeError("move gradio-fake's time with fake.clock.advance(), not freezegun")

    def move_to(self, target: Any) -> None:
        raise GradioFakeError("move gradio-fake's time with fake.clock.run_until(), not freezegun")


class TimeProjection:
    """Process-wide owner of the time patches; one activation at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pairs = _fake_pairs()
        self._fake_by_real = {id(real): fake for real, fake in self._pairs}
        self._real_by_fake = {id(fake): real for real, fake in self._pairs}
        # module name -> (module object id, attribute names that held a real time object)
        self._hits: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._sleep_hits: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._undo: list[tuple[Any, str, Any, bool]] = []
        self._active_freeze = False
        self._active_sleep = False

    # -- scanning ---------------------------------------------------------------
    def _scan(self) -> None:
        """Scan modules not seen before (or replaced) for real time objects and real sleep."""
        real_ids = set(self._fake_by_real)
        sleep_id = id(REAL.sleep)
        for name, module in list(sys.modules.items()):
            if module is None or not isinstance(module, types.ModuleType):
                continue
            known = self._hits.get(name)
            if known is not None and known[0] == id(module):
                continue
            hits: list[str] = []
            sleeps: list[str] = []
            if name not in ("time", "datetime") and not name.startswith(_NEVER_PATCH):
                try:
                    items = list(vars(module).items())
                except TypeError:
                    items = []
                for attr, value in items:
                    if id(value) in real_ids:
                        hits.append(attr)
                    elif id(value) == sleep_id:
                        sleeps.append(attr)
            self._hits[name] = (id(module), tuple(hits))
            self._sleep_hits[name] = (id(module), tuple(sleeps))

    def _patch_module_attrs(self, table: dict[str, tuple[int, tuple[str, ...]]],
                            replace: Callable[[Any], Any | None]) -> None:
        for name, (mod_id, attrs) in table.items():
            if not attrs:
                continue
            module = sys.modules.get(name)
            if module is None or id(module) != mod_id:
                continue
            for attr in attrs:
                current = module.__dict__.get(attr)
                new = replace(current)
                if new is not None:
                    self._set(module, attr, new)

    # -- activation -------------------------------------------------------------
    def activate(self, now: Callable[[], datetime.datetime] | None,
                 sleep: Callable[[float], None]) -> None:
        """Patch time (when ``now`` is given) and ``time.sleep``; raise if time is already faked."""
        with self._lock:
            if self._active_sleep:
                raise GradioFakeError(
                    "another FakeGradio is already active in this process; "
                    "leave it before entering a new one"
                )
            if now is not None:
                self._refuse_foreign_fake_time()
            self._scan()
            set_attr = self._set
            if now is not None:
                fz.freeze_factories.append(_Factory(now))  # type: ignore[arg-type]
                fz.tz_offsets.append(datetime.timedelta(0))
                fz.ignore_lists.append(_IGNORE)
                fz.tick_flags.append(False)
                set_attr(datetime, "datetime", fz.FakeDatetime)
                set_attr(datetime, "date", fz.FakeDate)
                for name in _TIME_FUNCTIONS:
                    fake = self._fake_by_real.get(id(getattr(time, name, None)))
                    if fake is not None:
                        set_attr(time, name, fake)
                gen_attr = getattr(fz, "uuid_generate_time_attr", None)
                if gen_attr:
                    set_attr(uuid, gen_attr, None)
                copyreg.dispatch_table[fz.real_datetime] = fz.pickle_fake_datetime
                copyreg.dispatch_table[fz.real_date] = fz.pickle_fake_date
                self._patch_module_attrs(
                    self._hits, lambda value: self._fake_by_real.get(id(value))
                )
                # Event loops keep real time, as freezegun's real_asyncio=True does, so that
                # asyncio timeouts (gradio_client 2.x's ``async for``) still fire.
                loop = asyncio.new_event_loop()
                loop.close()
                set_attr(type(loop), "time", lambda self: REAL.monotonic())
                self._active_freeze = True
            set_attr(time, "sleep", sleep)
            self._patch_module_attrs(
                self._sleep_hits, lambda value: sleep if value is REAL.sleep else None
            )
            self._active_sleep = True

    def deactivate(self) -> None:
        """Undo every patch made by :meth:`activate`, newest first."""
        with self._lock:
            for target, attr, original, had_own in reversed(self._undo):
                if had_own:
                    setattr(target, attr, original)
                else:
                    delattr(target, attr)
            self._undo.clear()
            if self._active_freeze:
                fz.freeze_factories.pop()
                fz.tz_offsets.pop()
                fz.ignore_lists.pop()
                fz.tick_flags.pop()
                copyreg.dispatch_table.pop(fz.real_datetime, None)
                copyreg.dispatch_table.pop(fz.real_date, None)
                uuid._last_timestamp = None  # type: ignore[attr-defined]
            self._active_freeze = False
            self._active_sleep = False

    def _set(self, target: Any, attr: str, value: Any) -> None:
        own = vars(target)
        self._undo.append((target, attr, own.get(attr), attr in own))
        setattr(target, attr, value)

    @staticmethod
    def _refuse_foreign_fake_time() -> None:
        if fz.freeze_factories:
            raise GradioFakeError(
                "time is already frozen by freezegun in this test; gradio-fake owns the clock "
                "while it is active. Drop the freezegun freeze and move time with "
                "fake.clock.advance(), or pass FakeGradio(freeze_time=False)."
            )
        if time.time is not REAL.time or datetime.datetime is not fz.real_datetime:
            raise GradioFakeError(
                "time.time or datetime.datetime is already replaced (time-machine or another "
                "time-faking tool is active); gradio-fake owns the clock while it is active. "
                "Stop the other tool, or pass FakeGradio(freeze_time=False)."
            )


projection = TimeProjection()
