"""Facts about the installed gradio_client that tests share (imported as ``support``)."""

from __future__ import annotations

import gradio_client
from packaging.version import Version

from gradio_fake import SUPPORTED_VERSIONS

CLIENT_VERSION = Version(gradio_client.__version__)


def compatible(gradio: str) -> bool:
    """Clients before 1.14 ignore ``api_prefix``, so they cannot talk to Gradio 5+ (as for real)."""
    return not (CLIENT_VERSION < Version("1.14") and Version(gradio) >= Version("5"))


COMPATIBLE_VERSIONS = [v for v in SUPPORTED_VERSIONS if compatible(v)]
