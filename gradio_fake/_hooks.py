"""The plugin manager: gradio-fake's catalogues, built from its own plugin and everyone else's.

One :class:`pluggy.PluginManager` per process, made on first use: it registers the
built-in plugin (the fault catalogue and two message kinds, through the very hooks
a third party uses), then every setuptools entry point of the ``gradio_fake`` group,
once. The catalogues below merge what each plugin's hook returns, in registration
order, check the types, and refuse a name given twice (naming both plugins), so a
plugin can add to gradio-fake but never silently replace a part of it.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import pluggy

from . import hookspecs
from ._components import BUILTIN_COMPONENT_TYPES, ComponentKind
from ._errors import GradioFakeError
from ._faults import BUILTIN_FAULTS, CLIENT_MESSAGES, STEP_KINDS, FaultKind
from ._versions import SUPPORTED_VERSIONS, GradioVersion, register_version, unregister_version
from .hookspecs import PROJECT, MessageKind, hookimpl

__all__ = [
    "BUILTIN_PLUGIN",
    "component",
    "component_types",
    "components",
    "fault_kinds",
    "load_entry_points",
    "message_kinds",
    "new_plugin_manager",
    "plugin_manager",
    "register",
    "shape_extra",
    "unregister",
    "versions",
]

#: The name the built-in plugin is registered under.
BUILTIN_PLUGIN = "gradio_fake.builtin"

_T = TypeVar("_T")
_lock = threading.RLock()
_manager: pluggy.PluginManager | None = None
_cache: dict[tuple[Any, ...], Any] = {}


def _streaming_shape(fields: Mapping[str, Any], version: GradioVersion) -> Mapping[str, Any]:
    out: dict[str, Any] = {"output": {"data": list(fields.get("data", [])), "is_generating": True,
                                      "duration": None, "average_duration": None,
                                      "render_config": None, "changed_state_ids": []},
                           "success": True}
    if version.generating_time_limit:
        out["time_limit"] = None
    return out


def _unexpected_shape(fields: Mapping[str, Any], version: GradioVersion) -> Mapping[str, Any]:
    out: dict[str, Any] = {"message": str(fields.get("message") or "gradio-fake: unexpected "
                                                                     "error")}
    if version.major >= 5:
        out["session_not_found"] = False
    out["success"] = False
    return out


class _Builtin:
    """gradio-fake's own catalogue, registered like any plugin."""

    @hookimpl
    def gradio_fake_faults(self) -> list[FaultKind]:
        return list(BUILTIN_FAULTS)

    @hookimpl
    def gradio_fake_message_kinds(self) -> list[MessageKind]:
        return [
            MessageKind("process_streaming", "A streamed output chunk (Gradio 5+ streaming "
                        "endpoints); not in gradio_client's table: KeyError.",
                        _streaming_shape),
            MessageKind("unexpected_error", "An error tied to one event (with a message); "
                        "for a job: KeyError('unexpected_error').", _unexpected_shape),
        ]


def new_plugin_manager(*, entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager with the hook specifications and the built-in plugin registered,
    and (``entry_points``) every ``gradio_fake`` entry point of the installed
    distributions. The process-wide one is :func:`plugin_manager`."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(_Builtin(), name=BUILTIN_PLUGIN)
    if entry_points:
        load_entry_points(manager)
    return manager


def load_entry_points(manager: pluggy.PluginManager, group: str = PROJECT) -> list[str]:
    """Register the plugins of ``group``'s entry points not registered yet; their names.

    A plugin that fails to import is a :class:`GradioFakeError` naming its entry point
    and distribution (rather than a bare traceback from inside importlib).
    """
    loaded = []
    for ep in importlib.metadata.entry_points(group=group):
        if manager.get_plugin(ep.name) is not None or manager.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            dist = getattr(getattr(ep, "dist", None), "name", None) or "an unknown distribution"
            raise GradioFakeError(f"the gradio_fake plugin {ep.name!r} ({ep.value}, from "
                                  f"{dist}) failed to load: {exc!r}") from exc
        manager.register(plugin, name=ep.name)
        loaded.append(ep.name)
    return loaded


def plugin_manager() -> pluggy.PluginManager:
    """The process-wide manager; entry points are loaded the first time it is asked for."""
    global _manager
    with _lock:
        if _manager is None:
            manager = new_plugin_manager()
            _push_versions(manager)
            _manager = manager
        return _manager


def register(plugin: object, name: str | None = None) -> str:
    """Register ``plugin`` with the process-wide manager; the name it is registered under.

    Its catalogues are checked at once: a bad plugin is refused (and unregistered)
    with the error naming it.
    """
    manager = plugin_manager()
    with _lock:
        try:
            registered = manager.register(plugin, name=name)
        except ValueError as exc:
            raise ValueError(f"cannot register gradio_fake plugin {name or plugin!r}: {exc}") \
                from None
        assert registered is not None
        try:
            fault_kinds(manager)
            message_kinds(manager)
            _push_versions(manager)
        except BaseException:
            manager.unregister(plugin)
            raise
        return registered


def unregister(plugin: object) -> None:
    """Remove ``plugin``, and the emulated versions it added."""
    with _lock:
        manager = plugin_manager()
        before = set(versions(manager))
        manager.unregister(plugin)
        for version in before - set(versions(manager)):
            unregister_version(version)


# ----------------------------------------------------------------------------- catalogues

def _collect(manager: pluggy.PluginManager, hook_name: str, cls: type[_T], key: str,
             kwargs: Mapping[str, Any] | None = None) -> list[tuple[str, _T]]:
    """What every implementation of ``hook_name`` returns, with the plugin it came from."""
    hook = getattr(manager.hook, hook_name)
    kwargs = kwargs or {}
    items: list[tuple[str, _T]] = []
    for impl in hook.get_hookimpls():
        if getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False):
            continue
        result = impl.function(*[kwargs[arg] for arg in impl.argnames])
        if result is None:
            continue
        if isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
            raise GradioFakeError(f"plugin {impl.plugin_name!r}: {hook_name}() must return a "
                                  f"list of {cls.__name__}, not {result!r}")
        for item in result:
            if not isinstance(item, cls):
                raise GradioFakeError(f"plugin {impl.plugin_name!r}: {hook_name}() returned "
                                      f"{item!r}, which is not a {cls.__name__}")
            items.append((impl.plugin_name, item))
    seen: dict[str, str] = {}
    for plugin, item in items:
        name = getattr(item, key)
        if name in seen:
            raise GradioFakeError(f"{cls.__name__} {name!r} is given by both plugin "
                                  f"{seen[name]!r} and plugin {plugin!r}; rename one")
        seen[name] = plugin
    return items


def _cached(manager: pluggy.PluginManager, hook_name: str, extra: tuple[Any, ...],
            build: Callable[[], Any]) -> Any:
    """``build()``, kept until the implementations of ``hook_name`` change."""
    impls = tuple(i.function for i in getattr(manager.hook, hook_name).get_hookimpls())
    key = (id(manager), hook_name, *extra)
    entry = _cache.get(key)
    if entry is not None and entry[0] is manager and len(entry[1]) == len(impls) \
            and all(a is b for a, b in zip(entry[1], impls, strict=True)):
        return entry[2]
    value = build()
    _cache[key] = (manager, impls, value)
    return value


def fault_kinds(manager: pluggy.PluginManager | None = None) -> Mapping[str, FaultKind]:
    """name -> :class:`FaultKind`: the built-ins, then every plugin's, in registration order."""
    pm = manager or plugin_manager()

    def build() -> Mapping[str, FaultKind]:
        items = _collect(pm, "gradio_fake_faults", FaultKind, "name")
        return MappingProxyType({kind.name: kind for _, kind in items})

    result: Mapping[str, FaultKind] = _cached(pm, "gradio_fake_faults", (), build)
    return result


def message_kinds(manager: pluggy.PluginManager | None = None) -> Mapping[str, MessageKind]:
    """msg -> :class:`MessageKind` for the message kinds beyond Gradio's usual ones."""
    pm = manager or plugin_manager()

    def build() -> Mapping[str, MessageKind]:
        items = _collect(pm, "gradio_fake_message_kinds", MessageKind, "name")
        for plugin, kind in items:
            if kind.name in STEP_KINDS or kind.name in CLIENT_MESSAGES:
                raise GradioFakeError(f"plugin {plugin!r}: message kind {kind.name!r} is one "
                                      f"gradio-fake shapes itself")
        return MappingProxyType({kind.name: kind for _, kind in items})

    result: Mapping[str, MessageKind] = _cached(pm, "gradio_fake_message_kinds", (), build)
    return result


def shape_extra(kind: str, fields: Mapping[str, Any], version: GradioVersion) -> dict[str, Any]:
    """The payload keys (besides ``msg``/``event_id``) of a message of a plugin ``kind``;
    ``{}`` for a kind nobody describes (it is then sent bare)."""
    described = message_kinds().get(kind)
    if described is None:
        return {}
    return dict(described.shape(MappingProxyType(dict(fields)), version))


def versions(manager: pluggy.PluginManager | None = None) -> Mapping[str, GradioVersion]:
    """version -> :class:`GradioVersion` for the emulated versions plugins add."""
    manager = manager or plugin_manager()
    items = _collect(manager, "gradio_fake_versions", GradioVersion, "version")
    for plugin, profile in items:
        if profile.version in SUPPORTED_VERSIONS:
            raise GradioFakeError(f"plugin {plugin!r}: Gradio {profile.version} is already "
                                  f"emulated by gradio-fake")
    return MappingProxyType({profile.version: profile for _, profile in items})


def _push_versions(manager: pluggy.PluginManager) -> None:
    for profile in versions(manager).values():
        register_version(profile)


def components(version: str, manager: pluggy.PluginManager | None = None) \
        -> Mapping[str, ComponentKind]:
    """type -> :class:`ComponentKind` of the components plugins add, as ``version`` has them."""
    pm = manager or plugin_manager()

    def build() -> Mapping[str, ComponentKind]:
        items = _collect(pm, "gradio_fake_components", ComponentKind, "type",
                         {"version": version})
        builtin = set(BUILTIN_COMPONENT_TYPES)
        for plugin, kind in items:
            if kind.type in builtin:
                raise GradioFakeError(f"plugin {plugin!r}: component {kind.type!r} is one "
                                      f"gradio-fake already knows")
        return MappingProxyType({kind.type: kind for _, kind in items})

    result: Mapping[str, ComponentKind] = _cached(pm, "gradio_fake_components", (version,),
                                                  build)
    return result


def component(type_name: str, version: str) -> ComponentKind | None:
    """A plugin's component ``type_name`` as Gradio ``version`` describes it, or None."""
    key = type_name.strip().lower().replace("_", "").replace("-", "").replace(" ", "")
    found = components(version)
    return found.get(key) or found.get(type_name)


def component_types() -> tuple[str, ...]:
    """Every component type some plugin adds, for any emulated version, sorted."""
    from ._versions import gradio_version

    names: set[str] = set()
    for version in (*SUPPORTED_VERSIONS, *versions()):
        names.update(components(gradio_version(version).version))
    return tuple(sorted(names))
