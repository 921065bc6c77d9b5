"""Personal data taken out of text before it is stored or logged (Nghị định 13/2023/NĐ-CP).

Citizens type their phone number, CCCD number or e-mail address into questions; the service
needs none of them to answer. `redact` replaces each with a label and counts what it replaced,
so operators can see how often it happens without seeing the data.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

EMAIL = "email"
PHONE = "phone"
CCCD = "cccd"
LABELS = {EMAIL: "[email]", PHONE: "[số điện thoại]", CCCD: "[số CCCD]"}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Vietnamese mobile and landline numbers: 0 or +84/84, then 9-10 digits, spaces, dots or dashes
# allowed between groups ("0912 345 678", "+84.912.345.678").
_PHONE = re.compile(r"(?<![\w/])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?![\w/])")
# Citizen identity card: 12 digits; the old identity card: 9 digits. Digits alone, not part of
# a document number ("57-NQ/TW", "1169/QĐ-TTg") or an amount ("1.000.000").
_CCCD = re.compile(r"(?<![\w/-])(?<!\d[.,])(?:\d{12}|\d{9})(?![\w/-]|[.,]\d)")


def redact(text: str) -> tuple[str, Counter[str]]:
    """``text`` with e-mails, phone numbers and CCCD/CMND numbers replaced, and their counts."""
    counts: Counter[str] = Counter()
    for kind, pattern in ((EMAIL, _EMAIL), (PHONE, _PHONE), (CCCD, _CCCD)):
        text, n = pattern.subn(LABELS[kind], text)
        if n:
            counts[kind] += n
    return text, counts


class RedactingFilter(logging.Filter):
    """Redacts the formatted message of every record that passes a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned, counts = redact(message)
        if counts:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(*logger_names: str) -> None:
    """Put a `RedactingFilter` on the handlers of the root logger and of ``logger_names``."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access", *logger_names)
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
