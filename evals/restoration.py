"""Diacritic restoration accuracy: accented questions, folded, restored, compared to the original."""

from __future__ import annotations

import re
from collections.abc import Iterable

from nq57.text import fold, has_diacritics, normalize
from retrieval.restore import DiacriticRestorer

_WORD = re.compile(r"\w+")


def restoration_accuracy(restorer: DiacriticRestorer, questions: Iterable[str]) -> dict:
    """Syllable accuracy over words that carry letters, and the share of questions restored exactly."""
    n = exact = syllables = correct = 0
    errors: list[dict] = []
    for original in questions:
        original = normalize(original)
        if not has_diacritics(original):
            continue
        restored = normalize(restorer.restore(fold(original)))
        want = [w.lower() for w in _WORD.findall(original)]
        got = [w.lower() for w in _WORD.findall(restored)]
        n += 1
        if len(want) != len(got):
            errors.append({"original": original, "restored": restored})
            continue
        pairs = [(w, g) for w, g in zip(want, got, strict=True) if not w.isdigit()]
        syllables += len(pairs)
        right = sum(w == g for w, g in pairs)
        correct += right
        if right == len(pairs):
            exact += 1
        elif len(errors) < 20:
            errors.append({"original": original, "restored": restored})
    return {
        "questions": n,
        "syllable_accuracy": round(correct / syllables, 4) if syllables else None,
        "exact_questions": round(exact / n, 4) if n else None,
        "examples_of_errors": errors[:10],
    }
