"""Text from the network made safe to answer, store and log.

JSON may carry lone surrogates (``"\\ud800"``), which no UTF-8 database or log accepts, and NUL
bytes, which PostgreSQL refuses in text columns. Both are replaced at the edge, so a message is
answered and stored rather than failing half way.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Lone surrogates become U+FFFD; NUL bytes are removed."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub(REPLACEMENT, text)


def scrub_any(value: object) -> object:
    """`scrub` applied to every string inside JSON-like data (dicts, lists)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(str(k)): scrub_any(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_any(v) for v in value]
    return value


CleanStr = Annotated[str, AfterValidator(scrub)]
