"""Pure Vietnamese text helpers shared by ingestion and query analysis.

Everything here is deterministic and side-effect free: the same function normalises a legal
text at ingest time and a citizen's question at query time, so both sides meet in one form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining tone marks (thanh điệu). Vowel-shape marks (â ă ê ô ơ ư) are not tones.
TONE_MARKS = {
    "\u0300": "huyền",
    "\u0301": "sắc",
    "\u0309": "hỏi",
    "\u0303": "ngã",
    "\u0323": "nặng",
}
_VOWELS = set("aăâeêioôơuưy")
_SHAPED = set("ăâêôơư")
# Open syllables whose tone sits on the first vowel in the classic placement (hòa, thủy, khỏe).
_CLASSIC_FIRST = {"oa", "oe", "uy"}
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def whole_words(body: str) -> re.Pattern[str]:
    """The alternatives of the regular expression ``body``, matched only as whole words."""
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _split_tone(syllable: str) -> tuple[str, str | None]:
    """Return the syllable without its tone mark (NFC) and the tone mark, if any."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = None
    kept = []
    for ch in decomposed:
        if ch in TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(base: str) -> int | None:
    """Index in ``base`` (toneless, NFC) of the vowel that carries the tone."""
    low = base.lower()
    start = 0
    # "qu" and "gi" (before another vowel) are initial consonants, not part of the nucleus.
    if (low.startswith("qu") and len(low) > 2) or (
        low.startswith("gi") and len(low) > 2 and low[2] in _VOWELS
    ):
        start = 2
    i = start
    while i < len(low) and low[i] not in _VOWELS:
        i += 1
    j = i
    while j < len(low) and low[j] in _VOWELS:
        j += 1
    if i == j:
        # "gì", "gìn": the i of "gi" is the only vowel.
        if start == 2 and low.startswith("gi"):
            return 1
        return None
    nucleus = low[i:j]
    has_coda = j < len(low)
    shaped = [k for k, ch in enumerate(nucleus) if ch in _SHAPED]
    if shaped:
        return i + shaped[-1]
    if len(nucleus) == 1:
        return i
    if has_coda:
        return i + len(nucleus) - 1
    if len(nucleus) == 2:
        return i  # classic placement: mái, hòa, thủy, khỏe
    return i + 1  # three vowels: ngoài, khuỷu


@lru_cache(maxsize=65_536)
def canonical_syllable(syllable: str) -> str:
    """Place the tone mark of one syllable on its canonical vowel (classic style: hòa, thủy).

    Cached: Vietnamese has a few thousand syllables, and every text is normalised again and
    again (ingest, each question, each passage scored)."""
    if not syllable or syllable.isascii():
        return syllable
    base, tone = _split_tone(syllable)
    if tone is None:
        return syllable
    pos = _tone_position(base)
    if pos is None:
        return syllable
    ch = unicodedata.normalize("NFD", base[pos])
    return base[:pos] + unicodedata.normalize("NFC", ch + tone) + base[pos + 1 :]


def tidy(text: str) -> str:
    """NFC and unified spaces, the source's own spelling kept: what a verbatim quote shows."""
    return _SPACES.sub(" ", nfc(text))


def normalize(text: str) -> str:
    """NFC, canonical tone placement, unified spaces; line breaks are kept.

    For matching only: stored texts keep their spelling ("hoá" stays "hoá"), and every term,
    vector and n-gram is built from this form, so "hoá" and "hóa" meet.
    """
    text = nfc(text)
    text = _WORD.sub(lambda m: canonical_syllable(m.group(0)), text)
    return _SPACES.sub(" ", text)


def _slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D")


# Precomposed letters (all Vietnamese ones among them) → their base letter: one
# str.translate instead of a decomposition per character, for the hottest text function.
_FOLD_TABLE = {cp: base for cp in range(0xC0, 0x10000) if (base := _slow_fold(chr(cp))) != chr(cp)}
_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Remove every Vietnamese diacritic (tones and vowel shapes); đ→d. Case is kept."""
    if text.isascii():
        return text
    folded = text.translate(_FOLD_TABLE)
    # Combining marks (text not in NFC) take the full path.
    return _slow_fold(folded) if _COMBINING.search(folded) else folded


def remove_folded(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` without the spans where ``pattern`` matches its folded, lower-cased form, so an
    unaccented pattern removes accented words too. Unchanged when folding would not keep the
    length (spans could not be mapped back)."""
    folded = fold(text).lower()
    if len(folded) != len(text):
        return text
    out, last = [], 0
    for m in pattern.finditer(folded):
        out.append(text[last : m.start()])
        last = m.end()
    if last == 0:
        return text
    out.append(text[last:])
    return " ".join("".join(out).split())


def has_diacritics(text: str) -> bool:
    return fold(text) != text


# A Vietnamese syllable as spelled without marks: an onset, a vowel cluster and a final. Loose
# (it admits some syllables no one writes), but no abbreviation or code fits it: "nqst", "ttee".
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|uai|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|"
    r"ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)"
    r"(?:ch|ng|nh|c|m|n|p|t)?"
)


def is_syllable(word: str) -> bool:
    """Whether ``word`` (marks and case ignored) is spelled like one Vietnamese syllable."""
    return _SYLLABLE.fullmatch(fold(word).lower()) is not None


_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d\d)(?!\d)"
    r"|ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+((?:19|20)\d\d)"
)


def dates_in(text: str) -> set[tuple[int, int, int]]:
    """The calendar dates ``text`` writes, as (year, month, day): "01/01/2026" and "ngày 01
    tháng 01 năm 2026" alike."""
    found = set()
    for m in _DATE.finditer(fold(text).lower()):
        day, month, year = (int(g) for g in (m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)))
        found.add((year, month, day))
    return found


def words(text: str) -> list[str]:
    """Lower-cased syllables/words (letters and digits) in order."""
    return _WORD.findall(text.lower())


def match_key(text: str) -> str:
    """The form used to compare quotes with chunks: NFC, lower case, whitespace collapsed."""
    return " ".join(nfc(text).lower().split())


def anchor(locator: str) -> str:
    """URL fragment for a locator: "Điều 3 khoản 2 điểm b" → "dieu-3-khoan-2-diem-b"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(nfc(locator)).lower()).strip("-")
    return slug or "top"
