"""Gold-set items (JSONL, one item per line) and their validation.

The schema is the contract in ARCHITECTURE.md ("Gold-set schema"). A malformed line stops the
load with an error naming the file and line, so a QA editor can fix it without guessing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PERSONAS = ("citizen", "business", "official", "student")
STYLES = ("accented", "unaccented", "paraphrase", "colloquial", "exact_wording", "followup")
ROLES = ("user", "assistant")
_FIELDS = {
    "id",
    "question",
    "persona",
    "style",
    "history",
    "expected_sources",
    "answer_facts",
    "answerable",
    "notes",
    # Optional labels of blind sets: what is asked, why an item must be declined, and how its
    # text is disguised. Reports break figures down by them.
    "frame",
    "category",
    "obfuscation",
}
_REQUIRED = ("id", "question", "persona", "style", "expected_sources", "answer_facts", "answerable")

# Notes keywords that mark an unanswerable item whose intent is checked, and the intent expected.
# A prompt injection must be refused, not merely treated as out of scope.
_INTENT_KEYWORDS = (
    ("injection", "refused"),
    ("smalltalk", "smalltalk"),
    ("small talk", "smalltalk"),
    ("out_of_scope", "out_of_scope"),
    ("out of scope", "out_of_scope"),
)


class GoldError(ValueError):
    """A gold file that cannot be used as it is."""


@dataclass(frozen=True)
class ExpectedSource:
    doc: str
    section: str
    quote: str


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    persona: str
    style: str
    expected_sources: list[ExpectedSource] = field(default_factory=list)
    answer_facts: list[str] = field(default_factory=list)
    answerable: bool = True
    notes: str = ""
    history: list[dict] = field(default_factory=list)
    frame: str = ""
    category: str = ""
    obfuscation: str = ""

    @property
    def expected_intent(self) -> str | None:
        return expected_intent(self.notes) if not self.answerable else None

    @property
    def docs(self) -> list[str]:
        return sorted({s.doc for s in self.expected_sources})

    def to_dict(self) -> dict:
        return asdict(self)


def expected_intent(notes: str) -> str | None:
    low = notes.lower()
    for keyword, intent in _INTENT_KEYWORDS:
        if keyword in low:
            return intent
    return None


def _fail(where: str, message: str) -> GoldError:
    return GoldError(f"{where}: {message}")


def _str(data: dict, key: str, where: str, *, allow_empty: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise _fail(where, f"field '{key}' must be a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise _fail(where, f"field '{key}' must not be empty")
    return value


def _source(raw: object, where: str, index: int) -> ExpectedSource:
    at = f"{where}: expected_sources[{index}]"
    if not isinstance(raw, dict):
        raise GoldError(f"{at} must be an object with doc, section, quote")
    unknown = set(raw) - {"doc", "section", "quote"}
    if unknown:
        raise GoldError(f"{at} has unknown field(s) {sorted(unknown)}")
    doc = _str(raw, "doc", at)
    quote = _str(raw, "quote", at)
    section = _str(raw, "section", at, allow_empty=True)
    return ExpectedSource(doc=doc.strip(), section=section.strip(), quote=quote.strip())


def _history(raw: object, where: str) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(where, "field 'history' must be a list of {role, content}")
    turns = []
    for i, turn in enumerate(raw):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ROLES
            or not isinstance(turn.get("content"), str)
        ):
            raise _fail(where, f"history[{i}] must be {{role: user|assistant, content: str}}")
        turns.append({"role": turn["role"], "content": turn["content"]})
    return turns


def _label(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(where, f"field '{key}' must be a string or null")
    return value.strip()


def parse_item(data: object, where: str = "item") -> GoldItem:
    """Validate one decoded gold item; ``where`` prefixes every error (e.g. "gold.jsonl:12")."""
    if not isinstance(data, dict):
        raise _fail(where, "each line must be a JSON object")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise _fail(where, f"missing field(s) {missing}")
    unknown = set(data) - _FIELDS
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}")
    item_id = _str(data, "id", where)
    where = f"{where} (id {item_id})"
    question = _str(data, "question", where)
    persona = _str(data, "persona", where)
    if persona not in PERSONAS:
        raise _fail(where, f"persona '{persona}' is not one of {list(PERSONAS)}")
    style = _str(data, "style", where)
    if style not in STYLES:
        raise _fail(where, f"style '{style}' is not one of {list(STYLES)}")
    answerable = data["answerable"]
    if not isinstance(answerable, bool):
        raise _fail(where, "field 'answerable' must be true or false")
    raw_sources = data["expected_sources"]
    if not isinstance(raw_sources, list):
        raise _fail(where, "field 'expected_sources' must be a list")
    sources = [_source(s, where, i) for i, s in enumerate(raw_sources)]
    facts = data["answer_facts"]
    if not isinstance(facts, list) or not all(isinstance(f, str) and f.strip() for f in facts):
        raise _fail(where, "field 'answer_facts' must be a list of non-empty strings")
    if answerable and not sources:
        raise _fail(where, "an answerable item needs at least one expected source")
    if not answerable and (sources or facts):
        raise _fail(where, "an unanswerable item has no expected sources and no facts")
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        raise _fail(where, "field 'notes' must be a string")
    history = _history(data.get("history"), where)
    if style == "followup" and not history:
        raise _fail(where, "a followup item needs a history")
    return GoldItem(
        id=item_id,
        question=question,
        persona=persona,
        style=style,
        expected_sources=sources,
        answer_facts=[f.strip() for f in facts],
        answerable=answerable,
        notes=notes,
        history=history,
        frame=_label(data, "frame", where),
        category=_label(data, "category", where),
        obfuscation=_label(data, "obfuscation", where),
    )


def parse_gold(text: str, name: str = "gold") -> list[GoldItem]:
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        item = parse_item(data, where)
        if item.id in seen:
            raise GoldError(f"{where}: duplicate id '{item.id}' (first on line {seen[item.id]})")
        seen[item.id] = lineno
        items.append(item)
    if not items:
        raise GoldError(f"{name}: no gold items")
    return items


def load_gold(path: str | Path) -> list[GoldItem]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise GoldError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return parse_gold(text, str(path))
