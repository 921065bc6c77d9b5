"""Undo the tricks that make a message look different from what it says (pure functions).

People and attacks write "chính trị" as "ｃｈíｎｈ ｔｒị" (full-width), "сhính trị" (Cyrillic с),
"c.h.í.n.h t.r.ị" (dotted letters), "ch1nh tr1" (leet) or with zero-width characters inside
words. Every later stage (policy, retrieval, the gate) must read the same words, so the message
is put back into plain Vietnamese first:

1. NFKC, which folds full-width and other compatibility forms; a base64 payload decoded, and
   text after "đọc ngược …:" read back to front, so that what they ask is judged like any
   other request;
2. look-alike letters from other scripts mapped to the Latin letter they imitate, from the
   Unicode confusables table shipped by ``confusable_homoglyphs``; Vietnamese letters are Latin
   and never touched;
3. invisible characters removed (``bot.safety.sanitize``);
4. runs of single letters joined by dots, dashes or spaces glued back into a word (words spelled
   out letter by letter, with wider gaps between the words, each on its own), and in a message
   that does so, digits split the same way ("5.0.0");
5. a message in alternating case ("cOn NgOàI") lower-cased;
6. digits standing for letters inside words ("h0i l0", "ch1nh") replaced: where the word
   reads as a Vietnamese syllable once they are ("lu47" → "luat", "73n" → "ten"), and in a
   message written in leet throughout.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import unicodedata
from functools import cache
from importlib import resources

from bot.safety import sanitize
from nq57.text import is_syllable

# Look-alike digits and signs inside words, as leet writes them.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_LEET_TOKEN = re.compile(
    r"(?<![\w/.-])(?=[\w@$]*[^\W\d_])(?=[\w@$]*[013457@$])[\w@$]{3,}(?![\w/-])"
)
_DIGIT_RUN = re.compile(r"\d\d")
# A digit between two letters ("d4ng", "kh0ng"): written as leet, never a code or a number.
_INNER_LEET = re.compile(r"[^\W\d_][013457]+[^\W\d_]")
_MIXED_TOKEN = re.compile(r"(?<![\w/.-])(?=\w*[^\W\d_])(?=\w*\d)\w{2,}(?![\w/-])")
# Codes that keep their digits even in a leet message: document abbreviations with a number
# ("nq57", "pl2", "qđ2629") and numbers with a unit ("5g", "10k", "4.0").
_CODE_TOKEN = re.compile(
    r"^(?:nq|tt|qd|qđ|kh|kl|tb|pl|nd|nđ|ct|cv|tw|cp|ttg|vpcp|bkhcn|qh|dt|đt)\d+$|^k\d\d$|^\d+(?:g|k|m|tr|ty|h|x)?$",
    re.IGNORECASE,
)
LEET_MESSAGE_TOKENS = 2
# Three or more single letters split by the same kind of separator: "c.h.í.n.h", "đ-ả-n-g".
_SPLIT_LETTERS = re.compile(r"(?<!\w)(?:[^\W\d_][.\-_*·•]){2,}[^\W\d_](?!\w)")
# Three or more single digits split the same way ("5.0.0"): in a message that splits its words,
# a number split like them; no number is written so ("1.500" groups three digits).
_SPLIT_DIGITS = re.compile(r"(?<![\w.])(?:\d[.\-_*·•]){2,}\d(?![\w.])")
# Two letters split so ("t.ỷ"): alone an abbreviation ("v.v"), in such a message a word.
_SPLIT_PAIR = re.compile(r"(?<![\w.])[^\W\d_][.\-_*·•][^\W\d_](?![\w.])")


def _unsplit(match: re.Match[str]) -> str:
    return _SEPARATOR.sub("", match.group(0))


_SEPARATOR = re.compile(r"[.\-_*·•]")
# Spaced-out letters ("c h í n h"): five or more, so "điểm a b c" and initials stay as they are;
# three or four when they are not a run of labels ("h ạ n", "Đ i ề u", "h a c k").
_SPACED_LETTERS = re.compile(r"(?<!\S)(?:[^\W\d_] ){2,}[^\W\d_](?!\S)")
SPACED_ALWAYS = 5
# Letters that label points and items, in order: "a b c", "đ e g".
_LABELS = "abcdđeghiklmn"
# A base64 run: long, without spaces, in both cases (a plain word or number never is).
_BASE64 = re.compile(
    r"(?<![\w+/=])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])[A-Za-z0-9+/]{16,}={0,2}(?![\w+/=])"
)
# Share of letters and spaces a decoded payload must have to be read as text.
TEXT_SHARE = 0.8
# "Đọc ngược đoạn sau: …", "read this backwards: …": the rest of the line, back to front.
_REVERSED = re.compile(
    r"(?P<lead>(?:đọc|viết|dịch|đảo) ngược|doc nguoc|viet nguoc|read (?:this |it )?backwards?|"
    r"reversed? (?:text|this))[^:\n]{0,60}:\s*(?P<body>[^\n]+)",
    re.IGNORECASE,
)
# Words whose case flips twice or more inside them ("NgOàI", "cOn") that make a message one
# written in alternating case.
MIXED_CASE_WORDS = 3


@cache
def _confusables() -> dict[str, str]:
    """Non-Latin character → the ASCII letter it imitates (Cyrillic "а" → "a")."""
    table = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    out: dict[str, str] = {}
    for char, glyphs in table.items():
        if len(char) != 1 or char.isascii() or "LATIN" in unicodedata.name(char, "LATIN"):
            continue
        for glyph in glyphs:
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isalpha():
                out[char] = target
                break
    return out | _CAPITAL_LOOKALIKES


# Letters the Unicode table pairs with a small capital rather than with an ASCII letter, though
# their capitals pass for Latin ones (т ~ T, н ~ H, в ~ B, м ~ M, к ~ K).
_CAPITAL_LOOKALIKES = {
    "т": "t",
    "н": "h",
    "в": "b",
    "м": "m",
    "к": "k",
    "Т": "T",
    "Н": "H",
    "В": "B",
    "М": "M",
    "К": "K",
}


def _unconfuse(text: str) -> str:
    table = _confusables()
    if all(ch.isascii() or ch not in table for ch in text):
        return text
    return "".join(table.get(ch, ch) for ch in text)


def _unleet(token: str) -> str:
    letters = sum(ch.isalpha() for ch in token)
    # "5g", "k12", "nq57", "tt33": too few letters, or a number beside an abbreviation.
    if letters < 2 or _DIGIT_RUN.search(token) or _CODE_TOKEN.match(token):
        return token
    return token.translate(_LEET)


def _unleet_message(text: str) -> str:
    """A message written in leet throughout ("nq57 c0 ph41 d3 d4ng"): its short and digit-run
    words too ("c0", "ph41", "m13n"), once two words leave no doubt; codes keep their digits."""
    if len(_INNER_LEET.findall(text)) < LEET_MESSAGE_TOKENS:
        return text
    return _MIXED_TOKEN.sub(
        lambda m: m.group(0) if _CODE_TOKEN.match(m.group(0)) else m.group(0).translate(_LEET),
        text,
    )


_LETTERS_AND_DIGITS = re.compile(r"(?<![\w/.-])(?=\w*[^\W\d_])(?=\w*\d)\w{2,}(?![\w/-])")
_LEET_DIGITS = frozenset("013457")
# "Điều 5a", "khoản 1b": a number with a point's letter is legal numbering, not leet.
_NUMBERED_POINT = re.compile(r"^\d+[a-eđ]$", re.IGNORECASE)


def _as_syllable(token: str) -> str | None:
    """``token`` with its digits read as letters, when that spells a Vietnamese syllable and
    the token is no code ("nq57", "5g", "điểm 5a")."""
    digits = {ch for ch in token if ch.isdigit()}
    if not digits <= _LEET_DIGITS or _CODE_TOKEN.match(token) or _NUMBERED_POINT.match(token):
        return None
    word = token.translate(_LEET)
    return word if is_syllable(word) else None


def _unleet_syllables(text: str) -> str:
    """Words whose digits stand for letters and that read as syllables once replaced ("lu47
    d4u 7u" → "luat dau tu"). Two-character ones ("k3", "7u") only beside a longer one: alone,
    "t3" may be a weekday, unless another stands beside it."""
    found = [(m, _as_syllable(m.group(0))) for m in _LETTERS_AND_DIGITS.finditer(text)]
    found = [(m, word) for m, word in found if word is not None]
    if not any(len(m.group(0)) >= 3 for m, _ in found) and not _side_by_side(found):
        return text
    out, last = [], 0
    for m, word in found:
        out.append(text[last : m.start()] + word)
        last = m.end()
    return "".join(out) + text[last:]


def _side_by_side(found: list[tuple[re.Match[str], str]]) -> bool:
    """Two such two-character words in a row ("d3 4n" → "de an"): a weekday ("t3") comes alone."""
    return any(b.start() - a.end() == 1 for (a, _), (b, _) in itertools.pairwise(found))


# Words spelled out letter by letter with wider gaps between them: "B ộ   t r ư ở n g".
_WORD_GAP = re.compile(r"[^\W\d_] {2,}[^\W\d_]")
_SPELLED = re.compile(r"(?<!\w)(?:[^\W\d_] )+[^\W\d_](?!\w)")


def _join_spaced_words(text: str) -> str:
    """In a message whose spelled-out words are set apart by wider gaps, each run of single
    letters glued back into its word ("B ộ   t r ư ở n g" → "Bộ trưởng"), before the gaps are
    collapsed and the words would run together."""
    if not _WORD_GAP.search(text):
        return text
    return _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), text)


def _join_spaced(run: str) -> str:
    letters = run.split(" ")
    if len(letters) < SPACED_ALWAYS and "".join(letters).lower() in _LABELS:
        return run
    return "".join(letters)


def _uncase(text: str) -> str:
    """A message in alternating case ("cOn NgOàI gIá ThÚ") lower-cased; "VNeID" or "iPhone"
    alone leave it as written."""
    flipped = [w for w in re.findall(r"[^\W\d_]+", text) if _flips(w) >= 2]
    return text.lower() if len(flipped) >= MIXED_CASE_WORDS else text


def _flips(word: str) -> int:
    return sum(a.isupper() != b.isupper() for a, b in itertools.pairwise(word))


def _decoded(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        raw = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return run
    readable = sum(c.isalpha() or c.isspace() for c in raw)
    return raw if raw and readable >= TEXT_SHARE * len(raw) else run


def _unreverse(match: re.Match[str]) -> str:
    body = match.group("body")
    return match.group(0)[: match.start("body") - match.start()] + body[::-1]


def deobfuscate(text: str) -> str:
    """The message as plain text: see the module docstring for the steps, in order."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFC", _BASE64.sub(_decoded, text))
    text = _REVERSED.sub(_unreverse, text)
    text = _unconfuse(text)
    text = _join_spaced_words(text)
    text = sanitize(text)
    if _SPLIT_LETTERS.search(text):
        for split in (_SPLIT_LETTERS, _SPLIT_DIGITS, _SPLIT_PAIR):
            text = split.sub(_unsplit, text)
    text = _SPACED_LETTERS.sub(lambda m: _join_spaced(m.group(0)), text)
    text = _uncase(text)
    text = _unleet_syllables(text)
    text = _unleet_message(text)
    text = _LEET_TOKEN.sub(lambda m: _unleet(m.group(0)), text)
    return sanitize(text)
