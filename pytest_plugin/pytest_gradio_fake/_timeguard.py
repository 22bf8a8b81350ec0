"""Refuse a second owner of the clock while the ``gradio_fake`` fixture is active.

``FakeGradio`` itself refuses to start when time is already frozen (a
``freezer`` or ``time_machine`` fixture set up first). A ``@freeze_time``
decorator on the test, or a ``with freeze_time(...)`` in its body, starts later,
while the fake is active: left alone it would silently replace virtual time in
``time.time()`` and ``datetime.now()``, and ``StatusUpdate.time`` would lie. So,
for the duration of the fixture, starting freezegun or time-machine raises
:class:`~gradio_fake.GradioFakeError` instead. The patches go through
``monkeypatch``, so they are undone with the test.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import pytest

from gradio_fake import GradioFakeError

__all__ = ["refuse_foreign_time"]


def _refusal(tool: str) -> str:
    return (f"{tool} was started while the gradio_fake fixture is active; gradio-fake owns "
            f"the clock during the test (time.time(), datetime.now() show virtual time). "
            f"Move time with sim_clock.advance(seconds) or sim_clock.run_until(t) instead, "
            f"or do not use the gradio_fake fixture in a test that needs {tool}.")


def refuse_foreign_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make freezegun's and time-machine's ``start`` raise until the test ends."""
    from freezegun import api as freezegun_api

    def freeze_start(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
        __tracebackhide__ = True
        raise GradioFakeError(_refusal("freezegun's freeze_time"))

    monkeypatch.setattr(freezegun_api._freeze_time, "start", freeze_start)
    # time-machine is not a dependency: guard it only when the test suite imported it.
    time_machine = sys.modules.get("time_machine")
    travel = getattr(time_machine, "travel", None)
    if travel is not None and hasattr(travel, "start"):
        def travel_start(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
            __tracebackhide__ = True
            raise GradioFakeError(_refusal("time_machine.travel"))

        monkeypatch.setattr(travel, "start", travel_start)
