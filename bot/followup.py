"""Follow-up questions resolved against the conversation, without a language model.

"Mục tiêu đến năm 2030 của NQ 57 là gì?" then "Thế còn năm 2045 thì sao?" becomes
"Mục tiêu đến năm 2045 của NQ 57 là gì?": the entity the user changed (a year, a document, a
provision) replaces its counterpart in the earlier question; anything else is appended to it.
"""

from __future__ import annotations

import re

from bot.answer import Turn
from nq57.legal import DOCUMENT_MENTION, PROVISION_MENTION, TYPE_WORDS
from nq57.text import fold
from retrieval.query import analyze_query
from retrieval.terms import content_terms

_MARKERS = (
    "the con",
    "vay con",
    "con ",
    "the thi",
    "thi sao",
    "thi the nao",
    "thi ntn",
    "nhu the nao",
    "van ban nay",
    "van ban do",
    "dieu nay",
    "dieu do",
    "cai do",
    "cai nay",
    "noi tren",
    "o tren",
    "vua roi",
    "vua noi",
    "noi ro hon",
    "cu the hon",
    "chi tiet hon",
    "giai thich them",
    "them ve",
    "y do",
    "muc do",
    "khoan do",
    "no ",
    "nhu vay",
    "con gi nua",
    "ngoai ra",
)
_STRIP = re.compile(
    r"^(thế còn|thế|vậy còn|vậy|còn|the con|the|vay con|vay|con)\s+|\s*(thì sao|thi sao|thì thế nào|thi the nao|thì như thế nào|thi nhu the nao|vậy|vay|nhỉ|nhi)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


_OPENERS = ("the ", "vay ", "con ", "trong do", "ngoai ra", "thi ", "rieng ", "the con", "con ve")
_DEMONSTRATIVE = re.compile(r"\b\w+ (?:do|nay|ay|kia|tren)\b(?!\s*(?:la|thi)\b)")


# Words that lean on what was said before: "Cụ thể …", "Ngoài ưu đãi thì …", "Với doanh
# nghiệp nhà nước thì …", "Giai đoạn sau …", "Có nói tới … không?" (in the text just discussed).
_LEANING = re.compile(
    r"^(?:cu the|ngoai .{1,40}? thi|voi .{1,40}? thi|neu .{1,60}? thi|giai doan sau|sang nam|"
    r"co (?:noi|nhac|de cap|neu) (?:toi|den|ve|ten))\b"
)
# "họ" (they) points back; folded it is also "hộ" (household), so it is read as typed.
_THEY = re.compile(r"(?<!\w)họ(?!\w)")
# "Ủy ban Kinh tế thì phải rà soát những luật nào?": a new subject set against the last one.
_TOPIC_SWITCH = re.compile(r"^\w+(?: \w+){0,5} thi\b")


# "Nghị quyết đó", "văn bản này", "thông tư nói trên": a document the conversation named.
_POINTED = re.compile(
    r"\b(van ban|"
    + "|".join(sorted((re.escape(t) for t in TYPE_WORDS if " " in t), key=len, reverse=True))
    + r") (?:do|nay|ay|kia|noi tren|tren|vua neu)\b"
)


def _pointed_document(core: str, history: list[Turn]) -> str | None:
    """ "Nghị quyết đó được thông qua tại hội nghị lần thứ mấy?" with the name put back: the
    conversation's latest document of that type (any type for "văn bản đó"), our own answer
    included, since that is where "Nghị quyết 20-NQ/TW" was said."""
    folded = fold(core).lower()
    m = _POINTED.search(folded)
    if m is None:
        return None
    wanted = TYPE_WORDS.get(m.group(1), "")
    for turn in reversed(history):
        # The references as query analysis reads them: "NQ 03", "57-NQ/TW", "nq57".
        for ref in reversed(analyze_query(turn.content, ()).doc_refs):
            if ref.type and (not wanted or fold(ref.type).lower() == wanted):
                # fold() keeps each character in place: the span is the same in ``core``.
                return f"{core[: m.start()]}{ref.type} {ref.number}{core[m.end() :]}"
    return None


def is_followup(message: str, history: list[Turn]) -> bool:
    if not any(t.role == "user" for t in history):
        return False
    folded = fold(message).lower().strip()
    padded = f" {folded} "
    if folded.startswith(_OPENERS) or any(f" {m}" in padded for m in _MARKERS):
        return True
    if _DEMONSTRATIVE.search(folded) or _LEANING.search(folded) or _THEY.search(message.lower()):
        return True
    # A short message that names its own document stands alone; a provision alone ("Mục 3 nói
    # về gì?") is one of the document the conversation is about.
    if DOCUMENT_MENTION.search(message):
        return False
    if PROVISION_MENTION.search(message):
        return _last_document(history) is not None
    if len(re.findall(r"\w+", message)) <= 6 or _TOPIC_SWITCH.search(folded):
        return True
    # "Bộ nào chủ trì và bao giờ phải xong?": only asks for attributes of something said before.
    return len(_topical(message)) <= 3


def previous_question(history: list[Turn]) -> str | None:
    for turn in reversed(history):
        if turn.role == "user":
            return turn.content
    return None


def _substitute(pattern: re.Pattern[str], new: str, old: str) -> str | None:
    found_new = [m.group(0) for m in pattern.finditer(new)]
    if not found_new or not pattern.search(old):
        return None
    replacement = iter(found_new)
    last = found_new[-1]
    return pattern.sub(lambda _m: next(replacement, last), old)


def resolve(message: str, history: list[Turn]) -> str:
    """The stand-alone question a follow-up stands for (unchanged when it is not one)."""
    return resolve_with_focus(message, history)[0]


def resolve_with_focus(message: str, history: list[Turn]) -> tuple[str, str | None]:
    """(stand-alone question, focus): the focus is the user's own new words when they were
    appended to the earlier question rather than substituted into it, so that the answer picks
    what they ask about now and the earlier question only keeps the topic."""
    if not is_followup(message, history):
        return message, None
    prev = previous_question(history)
    if prev is None:
        return message, None
    core = _STRIP.sub("", message.strip()).strip()
    pointed = _pointed_document(core, history)
    if pointed is not None:
        return pointed, None
    for pattern in (_YEAR, DOCUMENT_MENTION, PROVISION_MENTION):
        substituted = _substitute(pattern, core, prev)
        if substituted is not None:
            return substituted, None
    document = _last_document(history)
    if PROVISION_MENTION.search(core) and document:
        # "Mục 3 nói về gì?" after "Kết luận 69 có mấy mục?": that provision of that document.
        return f"{core} của {document}", None
    resolved = f"{prev} {core}".strip()
    # What was answered anchors the topic: "Bộ nào chủ trì?" after an answer quoting task 118
    # must stay on task 118, "Cụ thể phần lớn đó là bao nhiêu?" on what "phần lớn" was. The head
    # of our own previous answer carries its locator and quote; an answer about the document
    # itself (who issued it, when) carries no topic.
    answered = previous_answer(history)
    # "Thế còn Ủy ban Văn hóa thì …?" sets a new subject against the last: that answer's topic is
    # the one left behind.
    if answered and (
        _ATTRIBUTE.search(fold(core).lower())
        or not (_switches(message) or analyze_query(prev, ()).asks_record)
    ):
        resolved = f"{resolved} {answered[:240]}"
    # "Hạn hoàn thành là khi nào?" names no new subject: the earlier one still decides.
    return resolved, (core if len(_topical(core)) >= 2 else None)


def _switches(message: str) -> bool:
    folded = fold(message).lower().strip()
    return folded.startswith(("con ", "the con ", "vay con ")) or bool(_TOPIC_SWITCH.search(folded))


def _topical(message: str) -> list[str]:
    """Content words that name a subject, not an attribute asked about (deadline, lead body)."""
    return [
        t
        for t in content_terms(message)
        if not _ATTRIBUTE.fullmatch(t) and t not in _ATTRIBUTE_WORDS
    ]


# Questions about a row's columns: deadline, lead agency, output.
_ATTRIBUTE = re.compile(
    r"\b(?:han|thoi han|khi nao|bao gio|bao lau|chu tri|phoi hop|san pham|ket qua|dau ra|co quan nao|ai|"
    r"theo doi|danh gia|xong|hoan thanh|luc nao|tu khi|muc bao nhieu)\b"
)
_ATTRIBUTE_WORDS = frozenset(
    [
        "han",
        "thoi",
        "khi",
        "bao",
        "gio",
        "lau",
        "chu",
        "tri",
        "phoi",
        "hop",
        "san",
        "pham",
        "ket",
        "qua",
        "dau",
        "ra",
        "co",
        "quan",
        "ai",
        "theo",
        "doi",
        "danh",
        "gia",
        "xong",
        "hoan",
        "thanh",
        "luc",
        "tinh",
        "tu",
        "bo",
        "nganh",
        "muc",
        "ti",
        "le",
        "phai",
        "can",
        "yeu",
        "cau",
        # what points back ("chỉ tiêu đó", "nhiệm vụ này") names nothing new
        "chi",
        "tieu",
        "nhiem",
        "vu",
        "do",
        "nay",
        "ay",
        "kia",
    ]
)


def previous_answer(history: list[Turn]) -> str | None:
    for turn in reversed(history):
        if turn.role == "assistant":
            return turn.content
    return None


def _last_document(history: list[Turn]) -> str | None:
    """The document the user last named, as they wrote it."""
    for turn in reversed(history):
        found = DOCUMENT_MENTION.findall(turn.content) if turn.role == "user" else []
        if found:
            return found[-1]
    return None
