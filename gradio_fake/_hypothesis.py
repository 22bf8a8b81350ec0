"""Hypothesis's entry point: ``st.from_type`` for gradio-fake's description types.

Hypothesis calls every function registered under the ``hypothesis`` entry-point
group when it is imported (see "Registering strategies via setuptools entry
points" in its documentation). gradio-fake registers this one::

    [project.entry-points.hypothesis]
    _ = "gradio_fake._hypothesis:_hypothesis_setup_hook"

so that, with gradio-fake installed, ``st.from_type(gradio_fake.Load)`` (and
``builds()`` of anything annotated with these types) draws valid values instead
of inferring them from the type hints, which would give e.g. a negative
``Load.ahead``. It is safe to call more than once.

The hook may run while ``gradio_fake.strategies`` is itself being imported: that
module imports Hypothesis, whose first import runs the hooks. Its strategies do not
exist yet then, so the hook leaves the registration to the end of that module
(:func:`register`), which runs it once everything is defined.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

__all__: list[str] = []


def _hypothesis_setup_hook() -> None:
    """Register gradio-fake's strategies for ``st.from_type``."""
    # Importing the strategies registers them, at the module's end; a module imported
    # before, in full, registers again here. One imported right now (it imported
    # Hypothesis, which ran this hook) is half defined: its end registers.
    loaded = getattr(sys.modules.get(f"{__package__}.strategies"), "_LOADED", False)
    try:
        from . import strategies  # noqa: F401
    except ImportError as exc:  # pragma: no cover - a broken install
        # Never break `import hypothesis` for everyone in the environment.
        warnings.warn(f"gradio-fake could not register its Hypothesis strategies: {exc}",
                      RuntimeWarning, stacklevel=2)
        return
    if loaded:
        register()


def register() -> None:
    """Register the strategies of the fully imported ``gradio_fake.strategies``."""
    from hypothesis import strategies as st

    from . import strategies as gs
    from ._faults import Fault, make_fault
    from ._model import EndpointSpec, Error, Load, make_endpoint

    def fault_from(plan: tuple[str, float | None, dict[str, Any]]) -> Fault:
        kind, at, params = plan
        return make_fault(kind, at=at, **params)

    def endpoint_from(kwargs: dict[str, Any]) -> EndpointSpec:
        return make_endpoint(**kwargs, has_result="result" in kwargs)

    st.register_type_strategy(Load, gs.loads())
    st.register_type_strategy(
        Fault, gs.fault_plans(min_faults=1, max_faults=1).map(lambda plan: fault_from(plan[0])))
    st.register_type_strategy(EndpointSpec, gs.endpoints().map(endpoint_from))
    st.register_type_strategy(Error, st.builds(Error, gs._MESSAGE))
    st.register_type_strategy(gs.SpacePlan, gs.spaces())
