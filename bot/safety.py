"""Input hygiene and log redaction (pure functions).

Everything a user types passes through `sanitize` before classification, retrieval and logging:
invisible characters are how people (and attacks) make two equal-looking strings differ.
`redact` runs on text that goes to logs and analytics, never on what the assistant answers.
"""

from __future__ import annotations

import re
import unicodedata

from nq57.text import normalize

# Bidi controls and zero-width characters are category Cf; tabs/newlines are Cc but kept
# (turned into spaces below) because they carry word boundaries.
_KEEP_CONTROL = {"\n", "\t", "\r"}
_SPACE_RUN = re.compile(r"[^\S\n]+")
_NEWLINE_RUN = re.compile(r"\n\s*\n(\s*\n)+")
_LINE_EDGE = re.compile(r" *\n *")


def _visible(ch: str) -> bool:
    if ch in _KEEP_CONTROL:
        return True
    # Cc control, Cf format (ZWSP, ZWJ, LRM/RLM, LRE…PDF, LRI…PDI, BOM, soft hyphen), Co private
    # use, Cs lone surrogates, Cn unassigned.
    return unicodedata.category(ch)[0] != "C"


def sanitize(text: str) -> str:
    """NFC with canonical tones, invisible characters removed, whitespace collapsed.

    Single line breaks are kept (a pasted list stays readable in logs); runs of blank lines
    shrink to one blank line.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if _visible(ch))
    text = normalize(text)
    text = _SPACE_RUN.sub(" ", text)
    text = _LINE_EDGE.sub("\n", text)
    text = _NEWLINE_RUN.sub("\n\n", text)
    return text.strip()


class MessageTooLong(ValueError):
    """Raised by `ensure_length`; `message` is the Vietnamese text to show the user."""

    def __init__(self, message: str, length: int, max_chars: int) -> None:
        super().__init__(f"message has {length} characters, limit is {max_chars}")
        self.message = message
        self.length = length
        self.max_chars = max_chars


def _vn_int(n: int) -> str:
    """1234 → "1.234" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def check_length(text: str, max_chars: int) -> str | None:
    """A Vietnamese message for the user when `text` is longer than `max_chars`, else None."""
    length = len(text)
    if length <= max_chars:
        return None
    return (
        f"Câu hỏi của bạn dài {_vn_int(length)} ký tự, vượt quá giới hạn "
        f"{_vn_int(max_chars)} ký tự. Vui lòng rút gọn câu hỏi, tập trung vào một nội dung cụ thể "
        "(ví dụ: một mục tiêu, một nhiệm vụ hay một điều khoản) rồi gửi lại."
    )


def ensure_length(text: str, max_chars: int) -> str:
    """Return `text` unchanged or raise `MessageTooLong`."""
    message = check_length(text, max_chars)
    if message is not None:
        raise MessageTooLong(message, len(text), max_chars)
    return text


# --- redaction -------------------------------------------------------------------------------

_SEP = r"[ .\-]?"
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
# Card-like: 13–19 digits, plain or grouped by 4 with spaces/dashes.
_CARD = re.compile(r"(?<![\d.,/])(?:\d{4}(?:[ \-]\d{4}){2,3}(?:[ \-]\d{1,3})?|\d{13,19})(?![\d/])")
# CCCD: 12 digits, plain or grouped 3-3-3-3 / 4-4-4 by spaces (dots group money amounts).
_CCCD = re.compile(r"(?<![\d.,/])(?:\d{12}|\d{3}(?: \d{3}){3}|\d{4}(?: \d{4}){2})(?![\d/])")
# Vietnamese phones: mobile 0[35789]x + 8 digits (10 in all), landline 02x + 8 digits (11 in
# all); with +84 / 84 instead of the leading 0; separators space, dot or dash.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+84|\(\+84\)|0084|84|0)"
    + _SEP
    + r"(?:[35789]\d(?:"
    + _SEP
    + r"\d){7}|2\d(?:"
    + _SEP
    + r"\d){8})(?!\d)"
)
# Old 9-digit CMND and other id numbers are only recognisable next to their label.
_LABELLED_ID = re.compile(
    r"(?i)\b(cmnd|cccd|cmt|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?|hộ chiếu|passport)"
    r"(\s*(?:số|so|:|#)?\s*:?\s*)([A-Z]?\d[\d .]{6,14}\d)"
)


def redact(text: str) -> str:
    """Mask personal data (emails, phone numbers, CCCD/CMND ids, card numbers) for logs."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _LABELLED_ID.sub(lambda m: f"{m.group(1)}{m.group(2)}[id]", text)
    text = _CARD.sub("[card]", text)
    text = _CCCD.sub("[id]", text)
    text = _PHONE.sub("[phone]", text)
    return text
