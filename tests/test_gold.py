"""The project's gold set: every file parses, every quote is verbatim, the mix is balanced.

Works on both layouts: the per-author parts (``evals/gold/parts/*.jsonl``) while the set is being
written, and the merged ``evals/gold/dev.jsonl`` + ``evals/gold/heldout.jsonl`` afterwards. The
size and balance thresholds apply once the merged files exist, since a single part is small.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from evals.gold_io import STYLES, GoldItem, load_gold
from nq57.text import has_diacritics, match_key

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "evals" / "gold"
DOCS_DIR = ROOT / "corpus" / "docs"
MERGED = (GOLD_DIR / "dev.jsonl", GOLD_DIR / "heldout.jsonl")

MIN_QUOTE_WORDS, MAX_QUOTE_WORDS = 8, 30
MIN_MERGED_ITEMS = 150
MIN_PER_STYLE = 15
MIN_INFORMAL_SHARE = 0.25  # unaccented or colloquial: citizens often type without diacritics


@dataclass(frozen=True)
class Loaded:
    path: Path
    item: GoldItem


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.jsonl")) + sorted((GOLD_DIR / "parts").glob("*.jsonl"))


def merged_layout() -> bool:
    return all(p.exists() for p in MERGED)


@pytest.fixture(scope="module")
def loaded() -> list[Loaded]:
    files = gold_files()
    assert files, f"no gold files under {GOLD_DIR} or {GOLD_DIR / 'parts'}"
    # load_gold validates fields, enums, history and the answerable/sources rules per line.
    return [Loaded(path, item) for path in files for item in load_gold(path)]


@pytest.fixture(scope="module")
def doc_keys() -> dict[str, str]:
    return {p.name: match_key(p.read_text(encoding="utf-8")) for p in DOCS_DIR.glob("*.txt")}


def where(entry: Loaded) -> str:
    return f"{entry.path.relative_to(ROOT)} (id {entry.item.id})"


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems[:50])


def test_ids_are_unique_across_files(loaded: list[Loaded]) -> None:
    first: dict[str, Loaded] = {}
    problems = []
    for entry in loaded:
        seen = first.setdefault(entry.item.id, entry)
        if seen is not entry:
            problems.append(f"{where(entry)}: id already used in {seen.path.relative_to(ROOT)}")
    assert not problems, report(problems)


def test_no_question_is_repeated(loaded: list[Loaded]) -> None:
    # The same question in dev and held-out would leak tuning into the held-out score.
    first: dict[str, Loaded] = {}
    problems = []
    for entry in loaded:
        turns = " | ".join(t["content"] for t in entry.item.history)
        key = match_key(f"{turns} || {entry.item.question}")
        seen = first.setdefault(key, entry)
        if seen is not entry:
            problems.append(f"{where(entry)}: same question as id {seen.item.id}")
    assert not problems, report(problems)


def test_quotes_are_verbatim_and_sized(loaded: list[Loaded], doc_keys: dict[str, str]) -> None:
    problems = []
    for entry in loaded:
        for source in entry.item.expected_sources:
            if source.doc not in doc_keys:
                problems.append(f"{where(entry)}: unknown document {source.doc!r}")
                continue
            if not source.section:
                problems.append(f"{where(entry)}: source in {source.doc} has no section")
            n = len(source.quote.split())
            if not MIN_QUOTE_WORDS <= n <= MAX_QUOTE_WORDS:
                problems.append(f"{where(entry)}: quote has {n} words")
            if match_key(source.quote) not in doc_keys[source.doc]:
                problems.append(f"{where(entry)}: quote not in {source.doc}: {source.quote[:60]!r}")
    assert not problems, report(problems)


def test_facts_occur_in_their_documents(loaded: list[Loaded], doc_keys: dict[str, str]) -> None:
    problems = []
    for entry in loaded:
        item = entry.item
        if item.answerable and not item.answer_facts:
            problems.append(f"{where(entry)}: answerable item without answer_facts")
        texts = [doc_keys.get(doc, "") for doc in item.docs]
        for fact in item.answer_facts:
            if not any(match_key(fact) in text for text in texts):
                problems.append(f"{where(entry)}: fact {fact!r} not in {item.docs}")
    assert not problems, report(problems)


def test_styles_match_their_questions(loaded: list[Loaded]) -> None:
    problems = []
    for entry in loaded:
        item = entry.item
        if item.style == "unaccented" and has_diacritics(item.question):
            problems.append(f"{where(entry)}: unaccented question has diacritics")
        if item.style == "followup" and not item.history:
            problems.append(f"{where(entry)}: followup without history")
        if item.history and item.style != "followup":
            problems.append(f"{where(entry)}: history on a {item.style} item")
        if item.notes.startswith("false_premise") and not item.answerable:
            problems.append(f"{where(entry)}: a false premise must be answerable")
    assert not problems, report(problems)


def test_unanswerable_items_name_their_intent(loaded: list[Loaded]) -> None:
    problems = []
    for entry in loaded:
        item = entry.item
        if item.answerable:
            continue
        if item.expected_sources or item.answer_facts:
            problems.append(f"{where(entry)}: unanswerable item has sources or facts")
        if item.expected_intent is None:
            problems.append(f"{where(entry)}: notes {item.notes!r} name no intent")
    assert not problems, report(problems)


@pytest.mark.skipif(
    not merged_layout(), reason="balance is checked on the merged dev/heldout files"
)
def test_merged_set_is_large_and_balanced(loaded: list[Loaded]) -> None:
    items = [e.item for e in loaded]
    assert len(items) >= MIN_MERGED_ITEMS, f"only {len(items)} gold items"
    styles = Counter(item.style for item in items)
    thin = {style: styles[style] for style in STYLES if styles[style] < MIN_PER_STYLE}
    assert not thin, f"styles below {MIN_PER_STYLE} items: {thin}"
    informal = sum(item.style in ("unaccented", "colloquial") for item in items) / len(items)
    assert informal >= MIN_INFORMAL_SHARE, f"unaccented+colloquial share {informal:.0%}"
    intents = Counter(item.expected_intent for item in items if not item.answerable)
    for intent in ("out_of_scope", "refused", "smalltalk"):
        assert intents[intent] > 0, f"no unanswerable item with intent {intent}"
    heldout = load_gold(MERGED[1])
    assert heldout, "held-out file is empty"
