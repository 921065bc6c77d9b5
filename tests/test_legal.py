"""The legal vocabulary lives in nq57/legal.py alone, and the core layer imports no upper one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nq57 import legal

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "retrieval", "bot", "channels", "evals", "nq57")


def test_legal_imports_no_upper_layer():
    tree = ast.parse((ROOT / "nq57" / "legal.py").read_text(encoding="utf-8"))
    imported = [
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [None])
    ]
    assert not [
        m for m in imported if m.split(".")[0] in {"ingest", "retrieval", "bot", "channels"}
    ]


@pytest.mark.parametrize(
    "pattern",
    [
        legal.DOCUMENT_MENTION,
        legal.REFERENCE_NUMBER,
        legal.CODE_REFERENCE,
        legal.ARTICLE_LINE,
        legal.ANNEX_LINE,
        legal.TABLE_ROW,
        legal.ARTICLE_LOCATOR,
        legal.ANNEX_ROW_LOCATOR,
        legal.OUTLINE_LOCATOR,
        legal.ROW_REF,
        legal.STRUCTURE_START,
        legal.PROVISION_MENTION,
    ],
    ids=lambda p: p.pattern[:30],
)
def test_no_module_keeps_its_own_copy(pattern):
    # The first line of each pattern's source, as it would be written in another module.
    head = pattern.pattern.split("\n")[0][:40]
    copies = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path.name != "legal.py"
        and head in path.read_text(encoding="utf-8").replace("\\\\", "\\")
    ]
    assert copies == []


def test_locators_and_questions_read_the_same_words():
    assert legal.ARTICLE_LOCATOR.match("Điều 3 khoản 2 điểm b").groups() == ("3", "2", "b")
    m = legal.ANNEX_ROW_LOCATOR.match("Phụ lục II, nhiệm vụ 44")
    assert m is not None and m.group(2) == legal.TASK
    assert legal.ROW_REF.search("nhiem vu 44").group(2) == "44"
    assert legal.ROW_REF.search("chi tieu 12 ty") is None  # an amount, not a row
    assert legal.TYPE_WORDS[legal.TYPED_REFERENCE.search("nq 57").group("type")] == "nghi quyet"
    assert legal.DOCUMENT_MENTION.sub("", "Nghị quyết 57 nói gì").strip() == "nói gì"
