"""Tests of the component catalog (gradio_fake._components).

The client-dependent tests run against whichever gradio_client is installed (skipped when
none is): every schema of every emulated version must parse, and the python_type of the
server version that bundles the installed client must be what that client renders.
"""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

import pytest

from gradio_fake._components import (
    ComponentKind,
    component_kind,
    default_value,
    known_component_types,
)

VERSIONS = ("4.32.2", "4.44.1", "5.50.0", "6.31.0")
#: the gradio_client each emulated server version ships with.
BUNDLED_CLIENT = {"0.17.0": "4.32.2", "1.3.0": "4.44.1", "1.14.0": "5.50.0", "2.7.2": "6.31.0"}
REQUIRED = (
    "textbox", "number", "checkbox", "slider", "dropdown", "radio", "checkboxgroup", "json",
    "image", "audio", "video", "file", "gallery", "chatbot", "dataframe", "label", "markdown",
    "html", "code", "state",
)  # fmt: skip
ALL = [(t, v) for t in known_component_types() for v in VERSIONS]


def _client_utils() -> Any:
    return pytest.importorskip("gradio_client.utils")


def _client_version() -> str:
    return importlib.metadata.version("gradio_client")


def _mentions(schema: Any, needle: str) -> bool:
    return needle in json.dumps(schema)


# ---------------------------------------------------------------------------- catalog shape


def test_required_kinds_are_known() -> None:
    known = known_component_types()
    assert set(REQUIRED) <= set(known)
    assert list(known) == sorted(known)


@pytest.mark.parametrize(("type_name", "version"), ALL)
def test_kind_is_consistent(type_name: str, version: str) -> None:
    kind = component_kind(type_name, version)
    assert isinstance(kind, ComponentKind)
    assert kind.type == type_name
    assert kind.class_name == type_name.capitalize()  # what blocks.get_api_info reports
    assert kind.default_props["name"] == type_name
    assert kind.default_props["_selectable"] is False
    # everything goes on the wire as strict JSON
    json.dumps([kind.api_info, kind.example_input, kind.default_props], allow_nan=False)
    if kind.skip_api:
        assert kind.api_info == {}
    else:
        assert kind.api_info, "non-skipped components carry an api_info"
        assert kind.python_type
    if kind.is_file:
        assert _mentions(kind.api_info, "gradio.FileData")
        if type_name not in ("chatbot", "multimodaltextbox"):  # these may hold text only
            assert _mentions(kind.example_input, "gradio.FileData")
    else:
        assert not _mentions(kind.api_info, "gradio.FileData")


@pytest.mark.parametrize("version", VERSIONS)
def test_skip_api_kinds(version: str) -> None:
    skipped = {t for t in known_component_types() if component_kind(t, version).skip_api}
    assert skipped == {"state", "button"}


def test_lookup_is_case_insensitive() -> None:
    assert component_kind("Textbox", "4.44.1") == component_kind("textbox", "4.44.1")
    assert component_kind("CheckboxGroup", "5.50.0").type == "checkboxgroup"
    assert component_kind("JSON", "6.31.0").class_name == "Json"
    assert component_kind("checkbox_group", "4.32.2").type == "checkboxgroup"


def test_unknown_type_names_known_ones_and_suggests() -> None:
    with pytest.raises(ValueError) as info:
        component_kind("texbox", "4.44.1")
    message = str(info.value)
    assert "'texbox'" in message
    assert "did you mean 'textbox'" in message
    for known in known_component_types():
        assert known in message
    with pytest.raises(ValueError, match="unknown Gradio component type 'zzzz'"):
        component_kind("zzzz", "4.44.1")


@pytest.mark.parametrize("version", ["3.50.2", "garbage", "4"])
def test_unsupported_version(version: str) -> None:
    with pytest.raises(ValueError):
        component_kind("textbox", version)


def test_nearby_versions_map_to_emulated_ones() -> None:
    assert component_kind("chatbot", "4.20.0") == component_kind("chatbot", "4.32.2")
    assert component_kind("chatbot", "4.44.0") == component_kind("chatbot", "4.44.1")
    assert component_kind("video", "5.9.1") == component_kind("video", "5.50.0")
    assert component_kind("video", "6.0.0") == component_kind("video", "6.31.0")


def test_results_are_independent_copies() -> None:
    first = component_kind("gallery", "5.50.0")
    first.api_info["$defs"].clear()
    first.default_props["value"].append("x")
    second = component_kind("gallery", "5.50.0")
    assert second.api_info["$defs"]
    assert second.default_props["value"] == []
    value = default_value(second)
    value.append("y")
    assert default_value(second) == []


# ---------------------------------------------------------------------------- per-version facts


def test_file_data_schema_per_version() -> None:
    old = component_kind("file", "4.32.2").api_info
    assert old["title"] == "FileData" and "$defs" not in old and "description" not in old
    assert old["properties"]["meta"] == {
        "default": {"_type": "gradio.FileData"},
        "title": "Meta",
        "type": "object",
    }
    assert old["required"] == ["path"]
    assert list(old["properties"]) == [
        "path", "url", "size", "orig_name", "mime_type", "is_stream", "meta",
    ]  # fmt: skip
    # 4.44: the FileData docstring shows up in nested definitions only
    gallery = component_kind("gallery", "4.44.1").api_info
    assert gallery["$defs"]["FileData"]["description"].startswith("The FileData class")
    assert "description" not in component_kind("file", "4.44.1").api_info
    # 5.x+: meta is a FileDataMeta ref, the docstring moves to additional_description
    new = component_kind("file", "5.50.0")
    assert new.api_info["properties"]["meta"] == {"$ref": "#/$defs/FileDataMeta"}
    assert new.api_info["$defs"]["FileDataMeta"]["properties"]["_type"]["const"] == (
        "gradio.FileData"
    )
    assert new.api_info["additional_description"].startswith("The FileData class")
    assert new.python_description == new.api_info["additional_description"]
    assert new.python_type == "filepath"


def test_python_descriptions() -> None:
    assert component_kind("slider", "4.32.2").python_description == (
        "numeric value between 0 and 100"
    )
    # 5.x+ parameters read additional_description, which slider lacks
    assert component_kind("slider", "5.50.0").python_description == ""
    assert component_kind("json", "4.44.1").python_description == "any valid json"
    assert component_kind("gallery", "6.31.0").python_description == ""  # null on the wire


def test_chatbot_formats() -> None:
    assert component_kind("chatbot", "4.32.2").example_input == [["Hello!", None]]
    tuples = component_kind("chatbot", "4.44.1")
    assert tuples.api_info["title"] == "ChatbotDataTuples"
    assert tuples.python_type.startswith("Tuple[str | Dict(file: filepath")
    assert tuples.default_props["type"] == "tuples"
    messages = component_kind("chatbot", "5.50.0")
    assert messages.default_props["type"] == "messages"
    assert messages.api_info["title"] == "ChatbotDataMessages"
    assert messages.example_input[0] == {
        "role": "user",
        "metadata": None,
        "content": "Hello!",
        "options": None,
    }
    parts = component_kind("chatbot", "6.31.0")
    assert "type" not in parts.default_props
    assert parts.example_input[1]["content"] == [{"text": "How can I help you?", "type": "text"}]
    assert "TextMessage" in parts.api_info["$defs"]


def test_media_shapes_per_version() -> None:
    assert component_kind("image", "4.44.1").python_type == "filepath"
    assert component_kind("image", "5.50.0").api_info["title"] == "ImageData"
    assert component_kind("image", "6.31.0").python_type == "filepath"
    assert component_kind("video", "5.50.0").api_info["title"] == "VideoData"
    assert component_kind("video", "5.50.0").python_type == (
        "dict(video: filepath, subtitles: filepath | None)"
    )
    assert component_kind("video", "6.31.0").python_type == "filepath"
    assert "video" not in component_kind("video", "6.31.0").example_input
    assert component_kind("gallery", "4.32.2").python_type == (
        "List[Dict(image: filepath, caption: str | None)]"
    )
    assert "GalleryVideo" in component_kind("gallery", "5.50.0").api_info["$defs"]
    headers_4 = component_kind("dataframe", "4.44.1").api_info["properties"]["headers"]
    headers_5 = component_kind("dataframe", "5.50.0").api_info["properties"]["headers"]
    assert headers_4["items"] == {"type": "string"} and headers_5["items"] == {}


def test_choices_match_props() -> None:
    for version in VERSIONS:
        for name in ("dropdown", "radio", "checkboxgroup"):
            kind = component_kind(name, version)
            choices = [value for _, value in kind.default_props["choices"]]
            schema = kind.api_info.get("items", kind.api_info)
            assert schema["enum"] == choices
            example = kind.example_input
            assert (example if isinstance(example, list) else [example])[0] in choices


def test_default_values() -> None:
    assert default_value(component_kind("textbox", "4.44.1")) == ""
    assert default_value(component_kind("number", "5.50.0")) == 0
    assert default_value(component_kind("image", "6.31.0")) is None
    assert default_value(component_kind("checkbox", "4.32.2")) is False
    assert default_value(component_kind("slider", "5.50.0")) == 0
    assert default_value(component_kind("chatbot", "6.31.0")) == []
    assert default_value(component_kind("checkboxgroup", "4.44.1")) == []
    assert default_value(component_kind("state", "4.44.1")) is None
    assert default_value(component_kind("button", "5.50.0")) is None
    assert default_value(component_kind("dataframe", "4.32.2"))["data"] == [["", "", ""]]
    assert default_value(component_kind("dataframe", "6.31.0"))["data"] == []


# ---------------------------------------------------------------------------- real client


@pytest.mark.parametrize(("type_name", "version"), ALL)
def test_real_client_parses_every_schema(type_name: str, version: str) -> None:
    utils = _client_utils()
    kind = component_kind(type_name, version)
    rendered = utils.json_schema_to_python_type(kind.api_info)
    assert isinstance(rendered, str) and rendered
    if not kind.skip_api:
        utils.value_is_file(kind.api_info)  # must not raise either


@pytest.mark.parametrize("type_name", known_component_types())
def test_python_type_matches_bundled_client(type_name: str) -> None:
    utils = _client_utils()
    version = BUNDLED_CLIENT.get(_client_version())
    if version is None:
        pytest.skip(f"gradio_client {_client_version()} is bundled with no emulated version")
    kind = component_kind(type_name, version)
    if kind.skip_api:
        return
    assert kind.python_type == utils.json_schema_to_python_type(kind.api_info)
    # the real client decides on uploads from the schema; it agrees with is_file, except that
    # 1.14's parser misses 5.x's ImageData (so does the real 5.50 server's schema).
    expected_file = kind.is_file and not (version == "5.50.0" and type_name == "image")
    assert utils.value_is_file(kind.api_info) == expected_file
