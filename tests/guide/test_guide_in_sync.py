"""docs/guide.md shows test_edge_cases.py verbatim: every code block, every definition."""

from __future__ import annotations

import ast
import re
from pathlib import Path

HERE = Path(__file__).parent
GUIDE = HERE.parents[1] / "docs" / "guide.md"
EXAMPLES = HERE / "test_edge_cases.py"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def guide_blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_every_code_block_of_the_guide_is_in_the_examples() -> None:
    source = EXAMPLES.read_text(encoding="utf-8")
    blocks = guide_blocks()
    assert blocks, f"no ```python blocks in {GUIDE}"
    missing = [block for block in blocks if block not in source]
    assert not missing, (f"these blocks of {GUIDE.name} are not verbatim in "
                         f"{EXAMPLES.name}:\n\n" + "\n---\n".join(missing))


def test_every_statement_of_the_examples_is_in_the_guide() -> None:
    source = EXAMPLES.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    shown = "".join(guide_blocks())
    tree = ast.parse(source)
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    missing = []
    for node in body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "".join(lines[first - 1:node.end_lineno])
        if text not in shown:
            missing.append(text)
    assert not missing, (f"these parts of {EXAMPLES.name} are not shown in "
                         f"{GUIDE.name}:\n\n" + "\n---\n".join(missing))


def test_there_are_ten_edge_cases() -> None:
    tree = ast.parse(EXAMPLES.read_text(encoding="utf-8"))
    tests = [n.name for n in tree.body
             if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert len(tests) == 10, tests
    guide = GUIDE.read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d+\. ", guide, re.MULTILINE)) == 10
