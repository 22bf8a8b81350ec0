"""Catalog of Gradio component kinds, as each emulated server version describes them.

Facts were read from the real wheels (``gradio/components/*.py``, ``data_classes.py`` and
``blocks.py``) and checked against configs dumped by real 4.32.2 / 4.44.1 / 5.50.0 / 6.31.0
servers.  What differs between versions:

* FileData: 4.32 has no docstring; from 4.44 the model docstring appears as ``description``
  (4.44 pops it from top-level schemas, 5.x+ moves it to ``additional_description``, which
  /info shows as the parameter's python_type description).  From 5.x ``meta`` is a
  ``$ref`` to a ``FileDataMeta`` def with ``_type`` const ``"gradio.FileData"``.
* Image: FileData in 4.x, ``ImageData`` (all fields optional, described) in 5.x/6.x.
* Video: ``VideoData`` {video, subtitles} up to 5.x, a plain FileData in 6.x.
* Gallery: items are ``GalleryImage`` in 4.x, ``GalleryImage | GalleryVideo`` in 5.x/6.x.
* Chatbot: 4.32 tuples, 4.44 tuples plus ``ComponentMessage``, 5.x openai-style messages
  (``type="messages"``, content str | file | component), 6.x messages whose content is a list
  of typed parts (text / file / component).
* Dataframe headers are ``list[str]`` in 4.x and ``list[Any]`` in 5.x/6.x.
* python_type follows the client bundled with each server (0.17.0, 1.3.0, 1.14.0, 2.7.2):
  ``List``/``Dict(...)`` in 4.x, ``list``/``dict(...)`` in 5.x+, and 6.x's client renders any
  FileData-shaped object (including ImageData) as ``filepath``.

One deliberate deviation: pydantic >= 2.11 (what 5.x/6.x servers run with) emits
``"additionalProperties": true`` for free-form dicts, which crashes the 0.17/1.3 clients'
parser.  This catalog emits the equivalent ``"additionalProperties": {}``, which every
client parses and which 1.14/2.7 render identically (``dict(str, Any)``).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "BUILTIN_COMPONENT_TYPES",
    "ComponentKind",
    "NotInVersion",
    "component_kind",
    "default_value",
    "known_component_types",
]

# Eras: the emulated versions, in order.  Other 4.x/5.x/6.x versions map onto the nearest.
_E432, _E444, _E5, _E6 = 0, 1, 2, 3


@dataclass(frozen=True)
class ComponentKind:
    """One Gradio component kind as a given server version describes it."""

    #: the config ``"type"`` (and ``props["name"]``) as Gradio spells it, e.g. ``"textbox"``.
    type: str
    #: what /info's ``"component"`` says: ``type.capitalize()`` (``"Checkboxgroup"``, ``"Json"``).
    class_name: str
    #: JSON schema as config ``api_info`` and /info ``type`` carry it (``{}`` when skip_api).
    api_info: Mapping[str, Any]
    #: /info ``python_type.type``: the bundled client's ``json_schema_to_python_type``.
    python_type: str
    #: /info ``python_type.description`` of a *parameter* (returns use
    #: ``api_info.get("description", "")``; they agree on 4.x).  ``null`` on the wire is ``""``.
    python_description: str
    #: /info ``parameters[].example_input`` (the component's ``example_payload()``).
    example_input: Any
    #: values are (or contain) FileData dicts / file paths.
    is_file: bool
    #: the client skips this component in the API (state, buttons).
    skip_api: bool
    #: a minimal realistic config ``props`` (the caller merges label, value, ...).
    default_props: Mapping[str, Any]


def _era(version: str) -> int:
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        raise ValueError(f"unparseable Gradio version {version!r}") from None
    if major < 4:
        raise ValueError(f"Gradio {version} is not emulated (4.x to 6.x are)")
    if major == 4:
        return _E432 if minor < 44 else _E444
    return _E5 if major == 5 else _E6


# --------------------------------------------------------------------------- schema pieces

_J = dict[str, Any]  # a JSON object
_S: _J = {"type": "string"}
_I: _J = {"type": "integer"}
_N: _J = {"type": "number"}
_NULL: _J = {"type": "null"}
_ANY_DICT: _J = {"additionalProperties": {}, "type": "object"}

_FD_DOC = (
    "The FileData class is a subclass of the GradioModel class that represents a file object"
    " within a Gradio interface. It is used to store file data and metadata when a file is"
    " uploaded.\n\nAttributes:\n    path: The server file path where the file is stored.\n"
    "    url: The normalized server URL pointing to the file.\n    size: The size of the file in"
    " bytes.\n    orig_name: The original filename before upload.\n    mime_type: The MIME type"
    " of the file.\n    is_stream: Indicates whether the file is a stream.\n    meta: Additional"
    " metadata used internally (should not be changed)."
)
_IMAGE_DOC = {
    _E5: "For input, either path or url must be provided. For output, path is always provided.",
    _E6: "A local filepath or publicly available URL.",
}


def _ref(name: str) -> _J:
    return {"$ref": f"#/$defs/{name}"}


def _opt(*schemas: _J) -> _J:
    """An optional pydantic field: ``X | None = None``."""
    return {"anyOf": [*schemas, _NULL], "default": None}


def _untitled(field: _J) -> bool:
    # pydantic gives no title to a model-typed field (``$ref`` or ``Model | None``).
    any_of = field.get("anyOf", [])
    return "$ref" in field or (len(any_of) == 2 and "$ref" in any_of[0] and any_of[1] == _NULL)


def _model(title: str, props: _J, required: tuple[str, ...] = (), doc: str = "") -> _J:
    """A pydantic model schema (titles derived from field names, as pydantic does)."""
    schema: _J = {"description": doc} if doc else {}
    schema["properties"] = {
        name: field
        if _untitled(field)
        else {**field, "title": name.strip("_").replace("_", " ").title()}
        for name, field in props.items()
    }
    if required:
        schema["required"] = list(required)
    return {**schema, "title": title, "type": "object"}


def _file_data(era: int) -> _J:
    meta = {"default": {"_type": "gradio.FileData"}, "type": "object"}
    meta = _ref("FileDataMeta") if era >= _E5 else meta
    props = {
        "path": _S, "url": _opt(_S), "size": _opt(_I), "orig_name": _opt(_S),
        "mime_type": _opt(_S), "is_stream": {"default": False, "type": "boolean"}, "meta": meta,
    }  # fmt: skip
    return _model("FileData", props, ("path",), _FD_DOC if era >= _E444 else "")


def _file_defs(era: int) -> dict[str, _J]:
    """``$defs`` entries a schema that references FileData needs."""
    defs = {"FileData": _file_data(era)}
    if era >= _E5:
        meta = {"_type": {"const": "gradio.FileData", "type": "string"}}
        defs["FileDataMeta"] = _model("FileDataMeta", meta, ("_type",))
    return defs


def _image_data(era: int) -> _J:
    props = {
        name: {**_opt(kind), "description": text}
        for name, kind, text in (
            ("path", _S, "Path to a local file"),
            ("url", _S, "Publicly available url or base64 encoded image"),
            ("size", _I, "Size of image in bytes"),
            ("orig_name", _S, "Original filename"),
            ("mime_type", _S, "mime type of image"),
        )
    }
    props["is_stream"] = {"default": False, "description": "Can always be set to False",
                          "type": "boolean"}  # fmt: skip
    props["meta"] = {**_ANY_DICT, "default": {"_type": "gradio.FileData"}}
    return _model("ImageData", props, (), _IMAGE_DOC[era])


def _data_model(root: _J, defs: dict[str, _J], era: int) -> _J:
    """What ``Component.api_info()`` makes of ``data_model.model_json_schema()``."""
    schema = {"$defs": dict(sorted(defs.items())), **root} if defs else dict(root)
    description = schema.pop("description", None)
    if era >= _E5:
        schema["additional_description"] = description
    return schema


def _chatbot(era: int) -> _J:
    defs = _file_defs(era)
    file_msg = {"file": _ref("FileData"), "alt_text": _opt(_S)}
    obj: _J = _ANY_DICT if era >= _E5 else {"type": "object"}
    comp_msg = {"component": _S, "value": {}, "constructor_args": obj, "props": obj}
    if era >= _E6:
        file_msg["type"] = {"const": "file", "default": "file", "type": "string"}
        comp_msg["type"] = {"const": "component", "default": "component", "type": "string"}
        text_msg = {"text": _S, "type": {"const": "text", "default": "text", "type": "string"}}
        defs["TextMessage"] = _model("TextMessage", text_msg, ("text",))
    defs["FileMessage"] = _model("FileMessage", file_msg, ("file",))
    if era >= _E444:
        defs["ComponentMessage"] = _model("ComponentMessage", comp_msg, tuple(comp_msg)[:4])
    if era <= _E444:
        parts = [_S, _ref("FileMessage"), *([_ref("ComponentMessage")] if era else []), _NULL]
        pair = {"maxItems": 2, "minItems": 2, "prefixItems": [{"anyOf": parts}] * 2}
        root = {"items": {**pair, "type": "array"}, "type": "array"}
        return _data_model(
            {**root, "title": "ChatbotDataTuples" if era else "ChatbotData"}, defs, era
        )
    either: _J = {"anyOf": [_I, _S]}
    metadata = {"title": _S, "id": either, "parent_id": either, "log": _S, "duration": _N,
                "status": {"enum": ["pending", "done"], "type": "string"}}  # fmt: skip
    defs["MetadataDict"] = _model("MetadataDict", metadata)
    defs["OptionDict"] = _model("OptionDict", {"value": _S, "label": _S}, ("value",))
    if era >= _E6:
        parts = [_ref("TextMessage"), _ref("FileMessage"), _ref("ComponentMessage")]
        content: _J = {"items": {"anyOf": parts}, "type": "array"}
    else:
        content = {"anyOf": [_S, _ref("FileMessage"), _ref("ComponentMessage")]}
    message = {"role": _S, "metadata": _opt(_ref("MetadataDict")), "content": content,
               "options": _opt({"items": _ref("OptionDict"), "type": "array"})}  # fmt: skip
    defs["Message"] = _model("Message", message, ("role", "content"))
    root = {"items": _ref("Message"), "title": "ChatbotDataMessages", "type": "array"}
    return _data_model(root, defs, era)


def _gallery(era: int) -> _J:
    defs, caption = _file_defs(era), _opt(_S)
    image = _ref("FileData" if era <= _E444 else "ImageData")
    defs["GalleryImage"] = _model("GalleryImage", {"image": image, "caption": caption}, ("image",))
    items: _J = _ref("GalleryImage")
    if era >= _E5:
        video = {"video": _ref("FileData"), "caption": caption}
        defs.update(
            ImageData=_image_data(era), GalleryVideo=_model("GalleryVideo", video, ("video",))
        )
        items = {"anyOf": [items, _ref("GalleryVideo")]}
    return _data_model({"items": items, "title": "GalleryData", "type": "array"}, defs, era)


def _single_file(era: int) -> _J:
    defs = _file_defs(era)
    root = defs.pop("FileData")
    return _data_model(root, defs, era)


_PLAIN_API: dict[str, _J] = {
    "textbox": _S, "markdown": _S, "html": _S, "code": _S, "colorpicker": _S, "number": _N,
    "checkbox": {"type": "boolean"}, "json": {"type": {}, "description": "any valid json"},
    "slider": {"type": "number", "description": "numeric value between 0 and 100"},
}  # fmt: skip


def _api_info(kind: str, era: int, choices: list[str]) -> _J:
    """The config ``api_info`` of ``kind`` for ``era``."""
    if kind in _PLAIN_API:
        return _PLAIN_API[kind]
    if kind in ("dropdown", "radio"):
        return {"type": "string", "enum": choices} if kind == "dropdown" else {
            "enum": choices, "title": "Radio", "type": "string"}  # fmt: skip
    if kind == "checkboxgroup":
        items = {"enum": choices, "type": "string"}
        return {"items": items, "title": "Checkbox Group", "type": "array"}
    if kind == "image":
        return _data_model(_image_data(era), {}, era) if era >= _E5 else _single_file(era)
    if kind in ("audio", "file", "model3d", "downloadbutton") or (kind == "video" and era >= _E6):
        return _single_file(era)
    if kind == "uploadbutton":  # returns FileData.model_json_schema() as is
        defs = _file_defs(era)
        root = defs.pop("FileData")
        return {"$defs": defs, **root} if defs else root
    if kind == "video":
        defs = _file_defs(era)
        props = {"video": _ref("FileData"), "subtitles": _opt(_ref("FileData"))}
        return _data_model(_model("VideoData", props, ("video",)), defs, era)
    if kind == "gallery":
        return _gallery(era)
    if kind == "chatbot":
        return _chatbot(era)
    if kind == "multimodaltextbox":
        props = {"text": _S, "files": {"items": _ref("FileData"), "type": "array"}}
        return _data_model(_model("MultimodalData", props, ("text",)), _file_defs(era), era)
    if kind == "dataframe":
        cells: _J = {"items": {}, "type": "array"}
        meta = {"additionalProperties": {"anyOf": [cells, _NULL]}, "type": "object"}
        props = {"headers": {"items": _S if era <= _E444 else {}, "type": "array"},
                 "data": {"items": cells, "type": "array"}, "metadata": _opt(meta)}  # fmt: skip
        return _data_model(_model("DataframeData", props, ("headers", "data")), {}, era)
    if kind == "label":
        label = _opt(_S, _I, _N)
        conf = {"label": label, "confidence": _opt(_N)}
        defs = {"LabelConfidence": _model("LabelConfidence", conf)}
        props = {"label": label, "confidences": _opt({"items": _ref("LabelConfidence"),
                                                       "type": "array"})}  # fmt: skip
        return _data_model(_model("LabelData", props), defs, era)
    if kind == "highlightedtext":
        token = {"token": _S, "class_or_confidence": _opt(_S, _N)}
        defs = {"HighlightedToken": _model("HighlightedToken", token, ("token",))}
        root = {"items": _ref("HighlightedToken"), "title": "HighlightedTextData", "type": "array"}
        return _data_model(root, defs, era)
    return {}  # state, button: skip_api, no api_info in the config


# --------------------------------------------------------------------------- python_type

_FILE_FORMAT = {
    False: "Dict(path: str, url: str | None, size: int | None, orig_name: str | None, "
    "mime_type: str | None, is_stream: bool, meta: Dict())",
    True: "dict(path: str, url: str | None, size: int | None, orig_name: str | None, "
    "mime_type: str | None, is_stream: bool, meta: dict(_type: Literal[gradio.FileData]))",
}
_SIMPLE = {"null": "None", "integer": "int", "string": "str", "boolean": "bool", "number": "float"}


def _python_type(schema: Mapping[str, Any], era: int) -> str:
    """``gradio_client.utils.json_schema_to_python_type`` of the client bundled with ``era``."""
    low = era >= _E5
    defs: Mapping[str, Any] = schema.get("$defs") or {}

    def deref(node: Any) -> Any:
        return defs[node["$ref"].split("/")[-1]] if "$ref" in node else node

    def is_file(node: Mapping[str, Any]) -> bool:  # 2.x clients' _is_file_schema
        props = node.get("properties", {})
        if "path" not in props or "meta" not in props:
            return False
        meta = deref(props["meta"])
        if "_type" in meta.get("properties", {}):
            return bool(meta["properties"]["_type"].get("const") == "gradio.FileData")
        default = meta.get("default", {})
        return isinstance(default, dict) and default.get("_type") == "gradio.FileData"

    def render(node: Any) -> str:
        if node == {}:
            return "Any"
        if "const" in node:
            return f"Literal[{node['const']}]"
        if "enum" in node:
            return "Literal[" + ", ".join(f"'{value}'" for value in node["enum"]) + "]"
        keys = ("$ref", "oneOf", "anyOf", "allOf")
        kind = node["type"] if "type" in node else next((k for k in keys if node.get(k)), {})
        if kind == {}:
            if "json" in node.get("description", {}):
                return "str | float | bool | list | dict" if low else "Dict[Any, Any]"
            return "Any"
        if kind == "$ref":
            return render(deref(node))
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        if kind == "array":
            items = node.get("items", [])
            prefix = items["prefixItems"] if "prefixItems" in items else node.get("prefixItems")
            if prefix is not None:
                return ("tuple[" if low else "Tuple[") + ", ".join(map(render, prefix)) + "]"
            return ("list[" if low else "List[") + render(items) + "]"
        if kind == "object":
            if era >= _E6 and is_file(node):
                return "filepath"
            parts = [
                f"{name}: {render(sub)}"
                + (f" ({sub['description']})" if sub.get("description") else "")
                for name, sub in node.get("properties", {}).items()
                if name != "$defs"
            ]
            if "additionalProperties" in node:
                extra = node["additionalProperties"]
                parts.append("str, Any" if extra is True else f"str, {render(extra)}")
            return ("dict(" if low else "Dict(") + ", ".join(parts) + ")"
        if kind in ("oneOf", "anyOf"):
            return " | ".join(map(render, node[kind]))
        if kind == "allOf":
            return "All[" + ", ".join(map(render, node[kind])) + "]"
        raise ValueError(f"cannot render schema {node!r}")

    return render(schema).replace(_FILE_FORMAT[low], "filepath")


# --------------------------------------------------------------------------- examples, props

_GH = "https://github.com/gradio-app/gradio/raw/main/"
_RAW = "https://raw.githubusercontent.com/gradio-app/gradio/main/"
_BUS = _RAW + "test/test_files/bus.png"
_PDF = _GH + "test/test_files/sample_file.pdf"
_CHOICES = ("Option 1", "Option 2", "Option 3")


def _handle_file(url: str) -> _J:
    """``gradio_client.handle_file(url)`` as the examples serialise it."""
    name = url.rsplit("/", 1)[-1]
    return {"path": url, "meta": {"_type": "gradio.FileData"}, "orig_name": name, "url": url}


def _message(role: str, text: str, era: int) -> _J:
    content: Any = [{"text": text, "type": "text"}] if era >= _E6 else text
    return {"role": role, "metadata": None, "content": content, "options": None}


def _example(kind: str, era: int) -> Any:
    """``example_payload()`` of ``kind`` (what /info lists as ``example_input``)."""
    media = "gradio/media_assets/" if era >= _E5 else ""
    if kind in ("image", "gallery"):
        return _handle_file(_BUS) if kind == "image" else [{"image": _handle_file(_BUS)}]
    if kind == "audio":
        return _handle_file(_GH + "test/test_files/audio_sample.wav")
    if kind == "video":
        video = _handle_file(_GH + (media + "videos/" if media else "demo/video_component/files/")
                             + "world.mp4")  # fmt: skip
        return video if era >= _E6 else {"video": video}
    if kind in ("file", "uploadbutton", "downloadbutton"):
        return _handle_file(_PDF)
    if kind == "model3d":
        return _handle_file(_RAW + (media + "models3d/" if media else "demo/model3D/files/")
                            + "Fox.gltf")  # fmt: skip
    if kind == "chatbot":
        if era <= _E444:
            return [["Hello!", None]]
        return [_message("user", "Hello!", era), _message("assistant", "How can I help you?", era)]
    if kind == "multimodaltextbox":
        if era <= _E444:
            return {"text": "sample text", "files": []}
        return {"text": "Describe this image", "files": [_handle_file(_BUS)]}
    if kind == "label":
        confidences = [{"label": "cat", "confidence": 0.9}, {"label": "dog", "confidence": 0.1}]
        return {"label": "Cat", "confidences": confidences}
    if kind == "highlightedtext":
        return [{"token": "The", "class_or_confidence": None},
                {"token": "quick", "class_or_confidence": "adj"}]  # fmt: skip
    simple: _J = {
        "textbox": "Hello!!", "number": 3, "checkbox": True, "slider": 0,
        "dropdown": _CHOICES[0], "radio": _CHOICES[0], "checkboxgroup": [_CHOICES[0]],
        "json": {"foo": "bar"}, "markdown": "# Hello!", "html": "<p>Hello</p>",
        "code": "print('Hello World')", "colorpicker": "#000000",
        "dataframe": {"headers": ["a", "b"], "data": [["foo", "bar"]]},
    }  # fmt: skip
    return simple.get(kind)  # state, button: None


def _props(kind: str, era: int) -> _J:
    """A minimal realistic config ``props`` for ``kind`` (without label)."""
    keyed: _J = {"preserved_by_key": ["value"]} if era >= _E5 else {}
    base = {"visible": True, "elem_classes": [], **keyed}
    boxed = {"show_label": True, "container": True, "min_width": 160, **base}
    choices = [[c, c] for c in _CHOICES]
    button = {"variant": "secondary", "interactive": True, **base}
    extra: _J
    if kind == "state":
        return {"time_to_live": None, "name": "state", "_selectable": False}
    elif kind == "button":
        extra = {"value": "Run", **button}
    elif kind == "uploadbutton":
        extra = {"label": "Upload a File", **button, "type": "filepath", "file_count": "single"}
    elif kind == "downloadbutton":
        extra = {"label": "Download", **button}
    elif kind in ("markdown", "html"):
        shown = era <= _E444 if kind == "markdown" else era == _E432
        extra = {"show_label": shown, **base}
        if era >= _E5:
            extra.update(container=False, padding=kind == "html" and era == _E5)
        if kind == "markdown":
            extra.update(sanitize_html=True, line_breaks=False, header_links=False)
    elif kind == "slider":
        extra = {"minimum": 0, "maximum": 100, "value": 0, "step": 1, **boxed}
    elif kind in ("dropdown", "radio", "checkboxgroup"):
        extra = {"choices": choices, "type": "value", **boxed}
        if kind == "checkboxgroup":
            extra["value"] = []
        elif kind == "dropdown":
            extra.update(allow_custom_value=False, filterable=True)
            if era >= _E5:
                extra["value"] = _CHOICES[0]
    else:
        per_kind: dict[str, _J] = {
            "textbox": {"type": "text", "lines": 1},
            "number": {"step": 1},
            "checkbox": {"value": False},
            "code": {"lines": 5},
            "image": {"format": "webp", "image_mode": "RGB", "type": "numpy", "streaming": False,
                      "sources": ["upload", "webcam", "clipboard"]},
            "audio": {"type": "numpy", "streaming": False, "sources": ["upload", "microphone"]},
            "video": {"sources": ["upload", "webcam"], "include_audio": True, "autoplay": False},
            "file": {"file_count": "single", "type": "filepath"},
            "gallery": {"value": [], "format": "webp", "columns": 2, "type": "filepath"},
            "chatbot": {"value": [], "likeable": False},
            "label": {"value": {}},
            "highlightedtext": {"show_legend": False, "combine_adjacent": False},
            "model3d": {"clear_color": [0, 0, 0, 0], "zoom_speed": 1, "pan_speed": 1},
            "multimodaltextbox": {"lines": 1, **({"file_count": "single"} if era else {})},
            "dataframe": {
                "value": {"headers": ["1", "2", "3"],
                          "data": [["", "", ""]] if era <= _E444 else [], "metadata": None},
                "headers": ["1", "2", "3"], "row_count": [3 if era >= _E6 else 1, "dynamic"],
                "col_count": [3, "dynamic"], "datatype": "str", "type": "pandas",
            },
        }  # fmt: skip
        extra = {**per_kind.get(kind, {}), **boxed}
        if kind == "dataframe":
            del extra["container"]
        if kind == "chatbot" and _E444 <= era <= _E5:
            extra["type"] = "messages" if era == _E5 else "tuples"
        if kind == "multimodaltextbox" and era != _E5:
            extra["value"] = {"text": "", "files": []}
    return {**extra, "name": kind, "_selectable": False}


# --------------------------------------------------------------------------- public API

_FILE_KINDS = frozenset(
    {"image", "audio", "video", "file", "gallery", "model3d", "multimodaltextbox",
     "uploadbutton", "downloadbutton", "chatbot"}
)  # fmt: skip
_SKIP_KINDS = frozenset({"state", "button"})
_KINDS = (
    "audio", "button", "chatbot", "checkbox", "checkboxgroup", "code", "colorpicker",
    "dataframe", "downloadbutton", "dropdown", "file", "gallery", "highlightedtext", "html",
    "image", "json", "label", "markdown", "model3d", "multimodaltextbox", "number", "radio",
    "slider", "state", "textbox", "uploadbutton", "video",
)  # fmt: skip
#: fallbacks of :func:`default_value` for kinds whose props carry no ``value``.
_EMPTY: _J = {
    "textbox": "", "markdown": "", "html": "", "code": "", "colorpicker": "", "number": 0,
    "checkbox": False, "checkboxgroup": [], "gallery": [], "chatbot": [], "label": {},
    "multimodaltextbox": {"text": "", "files": []},
}  # fmt: skip


#: The component ``type`` names gradio-fake describes itself (plugins may add others).
BUILTIN_COMPONENT_TYPES: tuple[str, ...] = _KINDS


def known_component_types() -> tuple[str, ...]:
    """The component ``type`` names known: this catalog's and plugins' (any version), sorted."""
    from ._hooks import component_types  # the plugin manager imports this module

    plugins = component_types()
    return tuple(sorted({*_KINDS, *plugins})) if plugins else _KINDS


def _plugin_kind(type_name: str, gradio_version: str) -> ComponentKind | None:
    """A plugin's component ``type_name`` as ``gradio_version`` has it (fresh dicts), or None."""
    from ._hooks import component

    found = component(type_name, gradio_version)
    if found is None:
        return None
    return replace(found, api_info=copy.deepcopy(found.api_info),
                   example_input=copy.deepcopy(found.example_input),
                   default_props=copy.deepcopy(found.default_props))


class NotInVersion(ValueError):
    """A plugin's component type that the plugin does not describe for the asked version."""


def _unknown(type_name: str, key: str, gradio_version: str) -> ValueError:
    from ._hooks import component_types

    plugins = component_types()
    if key in plugins or type_name in plugins:
        return NotInVersion(f"Gradio component type {type_name!r} comes from a plugin that does "
                          f"not describe it for Gradio {gradio_version}")
    known = tuple(sorted({*_KINDS, *plugins}))
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ValueError(
        f"unknown Gradio component type {type_name!r}{hint} (known types: {', '.join(known)})")


def component_kind(type_name: str, gradio_version: str) -> ComponentKind:
    """Describe component ``type_name`` ("Textbox", "textbox", ...) as ``gradio_version`` does.

    A type this catalog does not know is looked up among the plugins' components (the
    ``gradio_fake_components`` hook). Raises ValueError for an unknown type (naming the
    known ones and the closest match), a plugin type the plugin does not describe for
    that version, or a Gradio version outside 4.x-6.x. Every call returns fresh,
    independently mutable dicts.
    """
    key = type_name.strip().lower().replace("_", "").replace("-", "").replace(" ", "")
    if key not in _KINDS:
        plugin = _plugin_kind(type_name, gradio_version)
        if plugin is None:
            raise _unknown(type_name, key, gradio_version)
        return plugin
    era = _era(gradio_version)
    api_info = _api_info(key, era, list(_CHOICES))
    description = api_info.get("additional_description" if era >= _E5 else "description")
    return ComponentKind(
        type=key,
        class_name=key.capitalize(),
        api_info=copy.deepcopy(api_info),
        python_type=_python_type(api_info, era),
        python_description=description or "",
        example_input=copy.deepcopy(_example(key, era)),
        is_file=key in _FILE_KINDS,
        skip_api=key in _SKIP_KINDS,
        default_props=copy.deepcopy(_props(key, era)),
    )


def default_value(kind: ComponentKind) -> Any:
    """A value the fake can return for ``kind`` when the scenario gave none.

    The config's initial ``value`` when the props carry one (slider minimum, empty
    dataframe, first choice of a 5.x+ dropdown, ...), else an empty value of the right type
    ("" for text, 0 for numbers, ``None`` for media, radio and 4.x dropdowns).
    """
    if "value" in kind.default_props and kind.type != "button":
        return copy.deepcopy(kind.default_props["value"])
    return copy.deepcopy(_EMPTY.get(kind.type))
