"""BM25-style sparse vectors for Vietnamese, matching with and without diacritics.

Scheme (documented in README, "Sparse vectors"):
- Terms of a text: its syllables (``khoa``, ``học``), its multi-syllable words from underthesea's
  word segmentation (``khoa_học``), and each of these again in diacritic-folded form with an
  ``~`` prefix (``~khoa``, ``~khoa_hoc``). A query typed without diacritics therefore still
  matches on the folded terms, while an accented query also gets the sharper accented terms.
- Index of a term: the first 4 bytes of its BLAKE2b digest (stable across processes and
  machines, unlike Python's ``hash``), as an unsigned 31-bit integer.
- Document value: BM25 term-frequency saturation ``tf·(k1+1) / (tf + k1·(1−b+b·dl/avgdl))``.
  The IDF factor is applied by Qdrant itself (sparse vector modifier ``idf``), so values stay
  valid when documents are added or removed.
- Query value: a weight per term kind (see ``encode_query``); IDF again comes from Qdrant.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from nq57.text import fold, normalize

_TOKEN = re.compile(r"\w+", re.UNICODE)
FOLD_PREFIX = "~"


@dataclass(frozen=True)
class SparseVec:
    indices: list[int]
    values: list[float]

    def __len__(self) -> int:
        return len(self.indices)


@lru_cache(maxsize=200_000)
def term_index(term: str) -> int:
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF


# underthesea's package __init__ imports every optional pipeline it finds (classification and
# translation pull in torch and transformers: ~300 MB of RSS) though only word_tokenize is used.
_UNNEEDED = ("torch", "transformers")


@lru_cache(maxsize=1)
def _segmenter():
    blocked = [name for name in _UNNEEDED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import torch` fail fast
    try:
        from underthesea import word_tokenize
    finally:
        for name in blocked:
            sys.modules.pop(name, None)
    return word_tokenize


def _compounds(text: str) -> list[str]:
    """Multi-syllable words (``khoa_học``) found by underthesea in lower-cased text."""
    try:
        tokens = _segmenter()(text, format="text").split()
    except Exception:  # a segmenter failure must never lose the syllable terms
        return []
    return [t for t in tokens if "_" in t and _TOKEN.fullmatch(t.replace("_", ""))]


def terms(text: str, segment: bool = True) -> tuple[list[str], list[str]]:
    """(accented terms, folded terms) of a text, in order, with repeats."""
    accented, folded = _terms(text, segment)
    return list(accented), list(folded)


@lru_cache(maxsize=4096)
def _terms(text: str, segment: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Questions repeat (and each is encoded twice, accented and restored): segment once.
    low = normalize(text).lower()
    syllables = _TOKEN.findall(low)
    compounds = _compounds(low) if segment else []
    accented = syllables + compounds
    folded = [FOLD_PREFIX + fold(t) for t in accented]
    return tuple(accented), tuple(folded)


@dataclass
class SparseEncoder:
    k1: float = 1.2
    b: float = 0.75
    avgdl: float = 120.0

    def encode_document(self, text: str) -> SparseVec:
        accented, folded = terms(text)
        counts = Counter(accented + folded)
        dl = max(syllable_count(text), 1)
        norm = self.k1 * (1 - self.b + self.b * dl / self.avgdl)
        weights: dict[int, float] = {}
        for term, tf in counts.items():
            idx = term_index(term)
            weights[idx] = weights.get(idx, 0.0) + tf * (self.k1 + 1) / (tf + norm)
        return _to_vec(weights)

    def encode_query(
        self, text: str, unaccented: bool = False, restored: str | None = None
    ) -> SparseVec:
        """Query vector.

        An accented query weighs accented terms 1.0 and folded ones 0.4 (folding merges words
        like "bán" and "bạn"). An unaccented query has only folded terms of its own; the
        diacritic-restored version contributes accented terms at 0.5, since a restoration can
        be wrong while the folded form is exactly what the user typed.
        """
        weights: dict[int, float] = {}

        def add(items: list[str], w: float) -> None:
            for term in set(items):
                idx = term_index(term)
                weights[idx] = max(weights.get(idx, 0.0), w)

        if unaccented:
            _, folded = terms(restored or text)
            add(folded, 1.0)
            if restored:
                accented, _ = terms(restored)
                add(accented, 0.5)
        else:
            accented, folded = terms(text)
            add(accented, 1.0)
            add(folded, 0.4)
        return _to_vec(weights)


def _to_vec(weights: dict[int, float]) -> SparseVec:
    items = sorted(weights.items())
    return SparseVec([i for i, _ in items], [round(v, 6) for _, v in items])


def syllable_count(text: str) -> int:
    return len(_TOKEN.findall(text))


def average_length(texts: list[str]) -> float:
    """avgdl for BM25 over the texts that will be encoded (syllables per text)."""
    if not texts:
        return 120.0
    return sum(syllable_count(t) for t in texts) / len(texts) or 120.0
