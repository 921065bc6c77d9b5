"""Corpus term statistics on folded syllables: which words of a question carry meaning.

Used by the evidence gate (how much of the question do the passages cover?) and by the
extractive composer (which sentence answers it?). Folded so that accented and unaccented
questions weigh the same.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from nq57.legal import DOCUMENT_MENTION
from nq57.text import fold, normalize

_TOKEN = re.compile(r"\w+", re.UNICODE)

# Function words and question words (folded): they say how something is asked, not what.
STOPWORDS = frozenset(
    [
        "la",
        "gi",
        "cua",
        "va",
        "cac",
        "nhung",
        "cho",
        "khong",
        "duoc",
        "ve",
        "voi",
        "nay",
        "nao",
        "nhu",
        "nhieu",
        "a",
        "oi",
        "nhe",
        "vay",
        "khi",
        "o",
        "hay",
        "hoac",
        "se",
        "rat",
        "toi",
        "em",
        "anh",
        "ong",
        "kia",
        "ay",
        "xin",
        "vui",
        "long",
        "giup",
        "biet",
        "muon",
        "phai",
        "neu",
        "ra",
        "vao",
        "len",
        "xuong",
        "den",
        "tren",
        "duoi",
        "giua",
        "sau",
        "truoc",
        "tung",
        "ca",
        "nua",
        "gom",
        "ah",
        "nha",
        "ko",
        "k",
        "dc",
        "j",
        "z",
        "v",
        "ntn",
        "sao",
    ]
)
# With the marks typed, these are unambiguous function words (folded they collide: "đồ"/"độ").
ACCENTED_STOPWORDS = frozenset(
    [
        "ai",
        "do",
        "trong",
        "có",
        "để",
        "đó",
        "này",
        "thì",
        "mà",
        "bị",
        "các",
        "theo",
        "từ",
        "tới",
        "đến",
        "đã",
        "đang",
        "rằng",
        "hãy",
        "cũng",
        "rồi",
        "nên",
        "cả",
        "thế",
        "sao",
        "bao",
        "nhiêu",
        "gì",
        "nào",
        "đâu",
    ]
)
# Deliberately absent, because folding merges them with content words: co (cơ chế),
# dang (Đảng), ban (ban hành), moi (đổi mới), hoi (xã hội), dau (đầu tư), tu (đầu tư),
# qua (kết quả), can (cán bộ), nen (nền tảng), tai (tài chính), vi (phạm vi), de (đề án),
# bao (báo chí), do (trình độ), trong (quan trọng), thi (thực thi), the (cụ thể), ai (AI),
# chi (chi cho R&D), ho (hỗ trợ).


def without_document_names(text: str) -> str:
    """The question minus the documents it names: inside a document they match everything."""
    return DOCUMENT_MENTION.sub(" ", text)


def content_terms(text: str, accented: bool = False) -> list[str]:
    """Lower-cased syllables of ``text`` that are not function words: folded by default, or as
    written (``accented``), which tells "lúa" from "lựa" when the user typed the marks."""
    return list(_accented_terms(text) if accented else _content_terms(text))


@lru_cache(maxsize=50_000)
def _content_terms(text: str) -> tuple[str, ...]:
    # Chunk texts are scored again for every question: cache their terms.
    return tuple(t for t in _TOKEN.findall(fold(normalize(text)).lower()) if t not in STOPWORDS)


@lru_cache(maxsize=50_000)
def _accented_terms(text: str) -> tuple[str, ...]:
    return tuple(
        t
        for t in _TOKEN.findall(normalize(text).lower())
        if t not in ACCENTED_STOPWORDS and fold(t) not in STOPWORDS
    )


@dataclass
class TermStats:
    n_docs: int = 0
    df: Counter = field(default_factory=Counter)

    @classmethod
    def build(cls, texts: Iterable[str]) -> TermStats:
        stats = cls()
        for text in texts:
            stats.n_docs += 1
            stats.df.update(_term_set(text))
        return stats

    def idf(self, term: str) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        return term in self.df

    def coverage(
        self,
        question_terms: list[str],
        text: str,
        discount: frozenset[str] = frozenset(),
        factor: float = 0.3,
    ) -> float:
        """IDF-weighted share of the question's terms present in ``text``; terms in
        ``discount`` weigh ``factor`` times as much."""
        unique = set(question_terms)
        if not unique:
            return 0.0
        present = _term_set(text)
        weight = {t: self.idf(t) * (factor if t in discount else 1.0) for t in unique}
        total = sum(weight.values())
        got = sum(w for t, w in weight.items() if t in present)
        return got / total if total else 0.0


@lru_cache(maxsize=50_000)
def _term_set(text: str) -> frozenset[str]:
    """Both forms of every content syllable, so folded and accented questions match alike."""
    return frozenset(_content_terms(text)) | frozenset(_accented_terms(text))


def content_bigrams(text: str) -> list[tuple[str, str]]:
    """Adjacent pairs of content syllables in the text's own order ("uy ban", "tu phap")."""
    tokens = _TOKEN.findall(fold(normalize(text)).lower())
    return [
        (a, b) for a, b in itertools.pairwise(tokens) if a not in STOPWORDS and b not in STOPWORDS
    ]


@lru_cache(maxsize=50_000)
def _bigram_set(text: str) -> frozenset[tuple[str, str]]:
    return frozenset(content_bigrams(text))


def phrase_coverage(question_bigrams: list[tuple[str, str]], text: str) -> float:
    """Share of the question's content bigrams found in ``text``: rewards the words in order."""
    if not question_bigrams:
        return 0.0
    present = _bigram_set(text)
    return sum(1 for b in set(question_bigrams) if b in present) / len(set(question_bigrams))
