"""The plugin hooks: the built-in catalogue rides on them, and a third-party plugin
(tests/thirdparty_plugin, written only against ``gradio_fake.hookspecs``) adds a fault,
a message kind, a Gradio version and a component through them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from gradio_fake import FakeGradio, GradioFakeError, ScenarioError, load_scenario
from gradio_fake import _hooks as hooks
from gradio_fake._components import component_kind, known_component_types
from gradio_fake._faults import BUILTIN_FAULTS, FAULT_KINDS, make_fault, step_kinds
from gradio_fake._versions import gradio_version
from gradio_fake.hookspecs import (
    ComponentKind,
    FaultKind,
    FaultParam,
    GradioVersion,
    MessageKind,
    hookimpl,
    register_plugin,
    unregister_plugin,
)

PLUGIN_DIR = Path(__file__).parent / "thirdparty_plugin"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def acme_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    import gradio_fake_acme

    return gradio_fake_acme


@pytest.fixture
def acme(acme_module: ModuleType) -> Iterator[ModuleType]:
    """The third-party plugin, registered for one test."""
    assert register_plugin(acme_module, "acme") == "acme"
    yield acme_module
    unregister_plugin(acme_module)


def write_dist_info(where: Path, entry_points: str, name: str = "gradio-fake-acme") -> None:
    """An installed distribution's metadata, as pip would leave it, on ``where``."""
    dist = where / f"{name.replace('-', '_')}-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(entry_points)


def run_with_acme_installed(tmp_path: Path, script: str) -> str:
    """What ``script`` prints in a fresh interpreter where the acme plugin is installed."""
    write_dist_info(tmp_path, "[gradio_fake]\nacme = gradio_fake_acme\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(PLUGIN_DIR),
                                                       str(ROOT)]))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# ----------------------------------------------------------------------------- built-ins

def test_the_built_in_catalogue_comes_through_the_hooks() -> None:
    manager = hooks.plugin_manager()
    assert manager.get_plugin(hooks.BUILTIN_PLUGIN) is not None
    assert tuple(FAULT_KINDS.values()) == BUILTIN_FAULTS
    assert set(hooks.message_kinds()) == {"process_streaming", "unexpected_error"}
    # a manager without the built-in plugin knows no fault at all
    bare = hooks.new_plugin_manager(entry_points=False)
    assert dict(hooks.fault_kinds(bare)) == dict(FAULT_KINDS)
    bare.unregister(name=hooks.BUILTIN_PLUGIN)
    assert dict(hooks.fault_kinds(bare)) == {}
    assert dict(hooks.message_kinds(bare)) == {}


def test_the_package_exports_the_catalogue_and_plugin_registration() -> None:
    import gradio_fake
    from gradio_fake import hookspecs

    assert gradio_fake.FAULT_KINDS is FAULT_KINDS
    assert gradio_fake.register_plugin is hookspecs.register_plugin
    assert gradio_fake.unregister_plugin is hookspecs.unregister_plugin
    assert {"FAULT_KINDS", "register_plugin", "unregister_plugin"} <= set(gradio_fake.__all__)


# ----------------------------------------------------------------------------- a third party

def test_a_plugin_fault_acts_on_the_real_client(acme: ModuleType, fake: FakeGradio,
                                                gradio: str) -> None:
    assert list(FAULT_KINDS)[-2:] == ["acme_gateway_timeout", "acme_banner"]
    space = fake.space("acme/echo", gradio=gradio)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper)
    client = fake.client("acme/echo")
    fake.fault("acme_gateway_timeout", route="join")
    with pytest.raises(httpx.HTTPStatusError) as caught:
        client.predict("a", api_name="/predict")
    assert caught.value.response.status_code == 504
    assert "acme-gateway" in caught.value.response.text
    assert fake.journal.requests(route="join").one().fault == "acme_gateway_timeout"
    assert client.predict("b", api_name="/predict") == "B"  # times=1
    with pytest.raises(ValueError, match="route= must be one of join, data, info"):
        fake.fault("acme_gateway_timeout", route="cancel")


def test_a_plugin_message_kind_is_shaped_and_counted(acme: ModuleType, fake: FakeGradio,
                                                     gradio: str) -> None:
    space = fake.space("acme/echo", gradio=gradio)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                   duration=5.0)
    fake.fault("acme_banner", after="process_starts", text="back soon")
    fake.fault("stream_dropped", after="acme_banner")  # plugin kinds count as steps
    job = fake.client("acme/echo").submit("a", api_name="/predict")
    with pytest.raises(KeyError, match="acme_banner"):  # the client does not know it
        job.result()
    banner = fake.journal.messages(msg="acme_banner", job=job).one()
    assert banner.payload["banner"] == {"text": "back soon", "gradio": gradio}
    assert "acme_banner" in step_kinds()
    assert [f.detail for f in fake.journal.faults(kind="stream_dropped")] == [
        "armed after acme_banner #1", "ended 1 data stream(s)"]


def test_a_plugin_version_is_emulated(acme: ModuleType, fake: FakeGradio) -> None:
    assert gradio_version("4.40.0").api_prefix == ""
    space = fake.space("acme/old", gradio="4.40.0")
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper)
    client = fake.client("acme/old")
    assert client.predict("a", api_name="/predict") == "A"
    assert fake.journal.requests(route="config").last.response["version"] == "4.40.0"


def test_a_plugin_component_is_described_per_version(acme: ModuleType) -> None:
    canvas = hooks.component("AcmeCanvas", "4.44.1")
    assert isinstance(canvas, ComponentKind) and canvas.python_type == "str"
    assert hooks.component("acmecanvas", "5.50.0") is None  # not in Gradio 5
    assert "acmecanvas" in hooks.component_types()


def test_a_plugin_component_is_an_input_and_output_the_real_client_uses(
        acme: ModuleType, fake: FakeGradio) -> None:
    space = fake.space("acme/draw", gradio="4.44.1")
    space.endpoint("/predict", inputs=[{"type": "AcmeCanvas", "label": "sketch"}],
                   outputs=["acmecanvas"], fn=str.upper)
    client = fake.client("acme/draw")
    assert client.predict("<svg/>", api_name="/predict") == "<SVG/>"
    config = fake.journal.requests(route="config").last.response
    assert [c["type"] for c in config["components"]] == ["acmecanvas", "acmecanvas"]
    info = fake.journal.requests(route="info").last.response
    (param,) = info["named_endpoints"]["/predict"]["parameters"]
    assert (param["label"], param["component"], param["python_type"]["type"]) == \
        ("sketch", "Acmecanvas", "str")
    assert "acmecanvas" in known_component_types()
    assert component_kind("acme_canvas", "4.44.1").example_input == "<svg/>"


def test_a_plugin_component_missing_from_a_version_is_refused(acme: ModuleType,
                                                               fake: FakeGradio) -> None:
    space = fake.space("acme/draw5", gradio="5.50.0")
    with pytest.raises(ValueError, match=r"inputs\[0\]: Gradio component type 'acmecanvas' "
                                         r"comes from a plugin that does not describe it for "
                                         r"Gradio 5\.50\.0"):
        space.endpoint("/predict", inputs=["acmecanvas"], outputs=["textbox"])
    with pytest.raises(ValueError, match="unknown Gradio component type 'acmecanvass'; did you "
                                         "mean 'acmecanvas'"):
        space.endpoint("/predict", inputs=["acmecanvass"], outputs=["textbox"])


def test_a_plugin_component_in_a_scenario_file(acme: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "draw.toml"
    path.write_text(textwrap.dedent("""\
        description = "A drawing Space with Acme's canvas."
        [space]
        id = "acme/draw"
        gradio = "4.44.1"
        [[endpoints]]
        api_name = "/predict"
        inputs = ["acmecanvas"]
        outputs = [{type = "AcmeCanvas", label = "out"}]
        handler = "upper"
        [[calls]]
        id = "draw"
        api_name = "/predict"
        args = ["<svg/>"]
        [expect.draw]
        outcome = "result"
        result = "<SVG/>"
        """))
    scenario = load_scenario(path)
    with FakeGradio() as fake:
        assert scenario.run(fake).matches_expectations() == []
    path.write_text(path.read_text().replace('"4.44.1"', '"5.50.0"'))
    with pytest.raises(ScenarioError, match=r"draw\.toml:7: endpoints\[0\]\.inputs\[0\]: "
                                            r"Gradio component type 'acmecanvas' comes from a "
                                            r"plugin"):
        load_scenario(path)


def test_unregistering_removes_what_a_plugin_added(acme_module: ModuleType) -> None:
    register_plugin(acme_module, "acme")
    make_fault("stream_dropped", after=("acme_banner", 1))
    unregister_plugin(acme_module)
    assert "acme_banner" not in FAULT_KINDS
    with pytest.raises(ValueError, match="unknown fault kind 'acme_banner'"):
        make_fault("acme_banner")
    with pytest.raises(ValueError, match="'acme_banner' is not one of"):
        make_fault("stream_dropped", after=("acme_banner", 1))
    assert hooks.component("acmecanvas", "4.44.1") is None
    assert "acmecanvas" not in known_component_types()
    with pytest.raises(ValueError, match="unknown Gradio component type 'acmecanvas'"):
        component_kind("acmecanvas", "4.44.1")
    with pytest.raises(ValueError, match=r"'4\.40\.0' is not an emulated Gradio version"):
        gradio_version("4.40.0")


# ----------------------------------------------------------------------------- refusals

class _Twice:
    @hookimpl
    def gradio_fake_faults(self) -> list[FaultKind]:
        return [FaultKind("stream_dropped", "Mine.", strike=lambda ctx: None)]


class _NotAFault:
    @hookimpl
    def gradio_fake_faults(self) -> list[Any]:
        return ["stream_dropped"]


class _OwnProgress:
    @hookimpl
    def gradio_fake_message_kinds(self) -> list[MessageKind]:
        return [MessageKind("progress", "Mine.", lambda fields, version: {})]


class _OldVersion:
    @hookimpl
    def gradio_fake_versions(self) -> list[GradioVersion]:
        return [GradioVersion(version="4.44.1", api_prefix="")]


@pytest.mark.parametrize(("plugin", "message"), [
    (_Twice(), "FaultKind 'stream_dropped' is given by both plugin "
               "'gradio_fake.builtin' and plugin 'bad'"),
    (_NotAFault(), "plugin 'bad': gradio_fake_faults() returned 'stream_dropped', which is "
                   "not a FaultKind"),
    (_OwnProgress(), "plugin 'bad': message kind 'progress' is one gradio-fake shapes itself"),
    (_OldVersion(), "plugin 'bad': Gradio 4.44.1 is already emulated"),
])
def test_a_bad_plugin_is_refused_and_left_out(plugin: object, message: str) -> None:
    with pytest.raises(GradioFakeError) as caught:
        register_plugin(plugin, "bad")
    assert message in str(caught.value)
    assert hooks.plugin_manager().get_plugin("bad") is None
    assert tuple(FAULT_KINDS.values()) == BUILTIN_FAULTS


def test_a_component_type_gradio_fake_knows_is_refused() -> None:
    class Textbox:
        @hookimpl
        def gradio_fake_components(self, version: str) -> list[ComponentKind]:
            from gradio_fake._components import component_kind

            return [component_kind("textbox", version)]

    manager = hooks.new_plugin_manager(entry_points=False)
    manager.register(Textbox(), name="textbox")
    with pytest.raises(GradioFakeError, match="component 'textbox' is one gradio-fake"):
        hooks.components("4.44.1", manager)


@pytest.mark.parametrize(("build", "message"), [
    (lambda: FaultKind("Bad-Name", "x.", strike=lambda ctx: None), "lower_snake_case"),
    (lambda: FaultKind("idle", "x."), "does nothing"),
    (lambda: FaultKind("x", "x.", params=(FaultParam("at", float, 0.0, "x"),),
                       strike=lambda ctx: None), "'at' cannot be a parameter name"),
    (lambda: FaultKind("x", "x.", params=(FaultParam("n", int, 0, "x", minimum=1),),
                       strike=lambda ctx: None), "n= must be >= 1, not 0"),
    (lambda: FaultKind("x", "x.", params=(FaultParam("n", int, 1, "x"),) * 2,
                       strike=lambda ctx: None), "declared twice"),
    (lambda: FaultParam("n", list, [], "x"), "type must be bool, int, float or str"),
    (lambda: MessageKind("", "x.", lambda fields, version: {}), "non-empty name"),
])
def test_declarations_are_checked_where_they_are_made(build: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        build()


# ----------------------------------------------------------------------------- entry points

def test_entry_points_are_found_on_sys_path(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    hooks.plugin_manager()  # the process-wide one exists: it must not pick these up
    write_dist_info(tmp_path, "[gradio_fake]\nacme = gradio_fake_acme\n")
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    monkeypatch.syspath_prepend(str(tmp_path))
    manager = hooks.new_plugin_manager()
    import gradio_fake_acme

    assert manager.get_plugin("acme") is gradio_fake_acme
    assert {"acme_gateway_timeout", "acme_banner"} <= set(hooks.fault_kinds(manager))
    assert hooks.load_entry_points(manager) == []  # once
    assert "acme_banner" not in FAULT_KINDS


def test_a_broken_entry_point_names_itself(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write_dist_info(tmp_path, "[gradio_fake]\nbroken = gradio_fake_no_such_module\n",
                    name="gradio-fake-broken")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(GradioFakeError, match=r"plugin 'broken' \(gradio_fake_no_such_module, "
                                              r"from gradio-fake-broken\) failed to load"):
        hooks.new_plugin_manager()


def test_a_plugin_version_and_component_need_no_fake_to_be_found(tmp_path: Path) -> None:
    """gradio_version() and the component catalogue load the plugins on a miss: a Space
    and a scenario file name a plugin's version and component before any fake exists."""
    (tmp_path / "old.toml").write_text(textwrap.dedent("""\
        description = "Gradio 4.40 from Acme's plugin."
        [space]
        id = "acme/old"
        gradio = "4.40.0"
        [[endpoints]]
        api_name = "/predict"
        inputs = ["acmecanvas"]
        outputs = ["textbox"]
        """))
    script = textwrap.dedent(f"""
        from gradio_fake import _hooks
        from gradio_fake._versions import gradio_version
        assert _hooks._manager is None, "loaded at import"
        assert gradio_version("4.40.0").version == "4.40.0"
        from gradio_fake import Space, load_scenario
        Space("acme/old", gradio="4.40.0").endpoint(
            "/predict", inputs=["acmecanvas"], outputs=["textbox"])
        print(load_scenario({str(tmp_path / "old.toml")!r}).gradio)
    """)
    assert run_with_acme_installed(tmp_path, script) == "4.40.0"


def test_an_installed_plugin_is_loaded_lazily_in_a_fresh_process(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        from gradio_fake import _hooks
        assert _hooks._manager is None, "loaded at import"
        from gradio_fake import FakeGradio
        with FakeGradio() as fake:
            space = fake.space("acme/old", gradio="4.40.0")
            from gradio_fake._faults import FAULT_KINDS
            print(sorted(k for k in FAULT_KINDS if k.startswith("acme")))
    """)
    assert run_with_acme_installed(tmp_path, script) == "['acme_banner', 'acme_gateway_timeout']"
