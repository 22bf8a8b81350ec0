"""Options of the differential test (tests/differential/test_differential.py)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gradio-venvs", default=None, metavar="PATHS",
        help="real-Gradio virtualenvs (or their python executables) to test the fake "
             "against, separated by ',' or os.pathsep; default: $GRADIO_FAKE_REAL_VENVS, "
             "else the current environment if it has gradio")
