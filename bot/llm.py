"""Optional LLM answering through LangChain's ChatOpenAI on any OpenAI-compatible endpoint.

The extractive answer is always computed first and handed in as `fallback`: whenever the model
is slow, failing, or writes something the passages do not support (a citation that does not
exist, a number that is not in the cited text), the user gets the extractive answer instead and
`meta["llm_fallback"]` says why. A wrong number in a policy answer is worse than a plain quote.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from bot.answer import Answer, Citation, Turn
from bot.prompts import build_messages
from nq57.settings import Settings
from nq57.text import anchor, fold, words
from retrieval.types import Hit

log = logging.getLogger(__name__)

QUOTE_MAX_CHARS = 300
_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|–|-|—)\s*\d+)*)\s*\]")
_MARKER_PART = re.compile(r"(\d+)\s*(?:(?:–|-|—)\s*(\d+))?")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s*%)?")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*])\s+", re.MULTILINE)
_SENTENCE = re.compile(r"(?<=[.;!?:])\s+")
_MAX_RANGE = 20  # "[1-3]" expands; "[1-999]" is garbage, not a range to expand


# --- post-check ------------------------------------------------------------------------------


def _marker_indices(body: str) -> list[int]:
    out: list[int] = []
    for part in _MARKER_PART.finditer(body):
        start = int(part.group(1))
        end = int(part.group(2)) if part.group(2) else start
        if start <= end <= start + _MAX_RANGE:
            out.extend(range(start, end + 1))
        else:
            out.extend([start, end])
    return out


def cited_indices(text: str) -> list[int]:
    """[n] markers in order of first appearance (1-based, as written; may be out of range)."""
    seen: dict[int, None] = {}
    for m in _MARKER.finditer(text):
        for n in _marker_indices(m.group(1)):
            seen.setdefault(n, None)
    return list(seen)


def number_readings(token: str) -> set[str]:
    """Canonical readings of one number as written in Vietnamese or English style.

    "2,5" and "2.5" read 2.5; "1.000" and "1,000" read both 1.000 (decimal) and 1000
    (thousands); "2 %" reads 2. Leading zeros go ("03" → "3").
    """
    s = re.sub(r"\s+", "", token).rstrip("%").strip(".,")
    if not s:
        return set()
    groups = re.split(r"[.,]", s)
    readings: set[str] = set()
    if len(groups) == 1:
        return {str(int(s))}
    if len(groups) == 2:
        whole, frac = groups
        frac = frac.rstrip("0")
        readings.add(f"{int(whole)}.{frac}" if frac else str(int(whole)))
    if all(len(g) == 3 for g in groups[1:]):
        readings.add(str(int("".join(groups))))
    return readings


def numbers_in(text: str) -> set[str]:
    out: set[str] = set()
    for token in _NUMBER.findall(text):
        out |= number_readings(token)
    return out


def _hit_context(hit: Hit) -> str:
    return " ".join(
        [hit.text, hit.doc_number, hit.doc_title, hit.locator, hit.parent_text, *hit.breadcrumb]
    )


def check_grounded(text: str, hits: list[Hit], question: str = "") -> list[str]:
    """Problems with an LLM answer; an empty list means it may be shown.

    Every [n] must name a passage; at least one must be cited; every number in the answer must
    appear in a cited passage (its text, document number or locator) or in the question.
    """
    problems: list[str] = []
    cited = cited_indices(text)
    if not cited:
        problems.append("no citation")
    bad = [n for n in cited if not 1 <= n <= len(hits)]
    for n in bad:
        problems.append(f"citation [{n}] does not exist ({len(hits)} passages)")
    allowed = numbers_in(question)
    for n in cited:
        if 1 <= n <= len(hits):
            allowed |= numbers_in(_hit_context(hits[n - 1]))
    body = _LIST_MARK.sub("", _MARKER.sub(" ", text))
    for token in _NUMBER.findall(body):
        readings = number_readings(token)
        if readings and not readings & allowed:
            problems.append(f"number {token.strip()!r} is not in the cited passages")
    return problems


# --- citations -------------------------------------------------------------------------------


def _renumber(text: str, mapping: dict[int, int]) -> str:
    """Rewrite markers to the order of first citation ("[3] … [1]" → "[1] … [2]")."""

    def sub(m: re.Match[str]) -> str:
        out = []
        for n in _marker_indices(m.group(1)):
            if n not in mapping:
                mapping[n] = len(mapping) + 1
            out.append(f"[{mapping[n]}]")
        return "".join(dict.fromkeys(out))

    return _MARKER.sub(sub, text)


class _MarkerRewriter:
    """Renumbers markers in streamed text; holds back an unclosed "[…" until it is complete."""

    _HOLD_MAX = 24

    def __init__(self) -> None:
        self.mapping: dict[int, int] = {}
        self._pending = ""

    def feed(self, chunk: str) -> str:
        self._pending += chunk
        cut = self._pending.rfind("[")
        if (
            cut != -1
            and "]" not in self._pending[cut:]
            and len(self._pending) - cut < self._HOLD_MAX
        ):
            ready, self._pending = self._pending[:cut], self._pending[cut:]
        else:
            ready, self._pending = self._pending, ""
        return _renumber(ready, self.mapping)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return _renumber(ready, self.mapping)


def _content_words(text: str) -> set[str]:
    return {w for w in words(fold(text)) if len(w) > 1}


def best_sentence(text: str, query: str, max_chars: int = QUOTE_MAX_CHARS) -> str:
    """The sentence of `text` sharing most words with `query`, verbatim, at most max_chars."""
    wanted = _content_words(query)
    best, best_score = "", -1.0
    for line in text.split("\n"):
        for sentence in _SENTENCE.split(line.strip()):
            sentence = sentence.strip()
            if len(sentence) < 3:
                continue
            have = _content_words(sentence)
            score = len(have & wanted) / math.sqrt(len(have) + 1)
            if score > best_score:
                best, best_score = sentence, score
    if len(best) > max_chars:
        best = best[:max_chars].rsplit(" ", 1)[0].rstrip(",;:")
    return best


def _answer_parts_citing(text: str, n: int) -> str:
    """The sentences of the answer that carry marker [n] (renumbered text)."""
    return " ".join(s for s in _SENTENCE.split(text) if f"[{n}]" in s)


def build_citations(text: str, hits: list[Hit], order: list[int], question: str) -> list[Citation]:
    """Citations for the renumbered `text`: `order[i]` is the 1-based hit behind marker [i+1]."""
    citations = []
    for new, old in enumerate(order, start=1):
        hit = hits[old - 1]
        query = f"{question} {_answer_parts_citing(text, new)}"
        citations.append(
            Citation(
                doc=hit.doc,
                doc_id=hit.doc_id,
                doc_number=hit.doc_number,
                doc_title=hit.doc_title,
                locator=hit.locator,
                quote=best_sentence(hit.text, query),
                url=f"/documents/{hit.doc_id}#{anchor(hit.locator)}",
            )
        )
    return citations


# --- composer --------------------------------------------------------------------------------


def _message_text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, str | dict)
        )
    return str(content or "")


def failure_reason(exc: BaseException) -> str:
    """A short operator-facing reason for a failed LLM call."""
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return "connection_error"
    return f"error:{type(exc).__name__}"


def with_fallback(fallback: Answer, reason: str) -> Answer:
    """The extractive answer, marked with why the LLM answer was not used."""
    return replace(fallback, meta={**fallback.meta, "llm_fallback": reason})


class LLMComposer:
    """Writes the answer with a chat model, checked against the passages; extractive otherwise."""

    def __init__(self, settings: Settings, chat_model: Any = None) -> None:
        self.settings = settings
        if chat_model is None:
            if not settings.llm_base_url or not settings.llm_model:
                raise ValueError("LLM mode needs NQ57_LLM_BASE_URL and NQ57_LLM_MODEL")
            from langchain_openai import ChatOpenAI

            chat_model = ChatOpenAI(
                model=settings.llm_model,
                base_url=settings.llm_base_url,
                api_key=settings.llm_api_key,
                timeout=settings.llm_timeout,
                max_retries=settings.llm_max_retries,
                temperature=0,
                stream_usage=False,
            )
        self.chat_model = chat_model
        self.model_name = (
            settings.llm_model
            or getattr(chat_model, "model_name", None)
            or type(chat_model).__name__
        )

    def compose(
        self, question: str, hits: list[Hit], history: list[Turn], fallback: Answer
    ) -> Answer:
        if not hits:
            return with_fallback(fallback, "no_passages")
        try:
            raw = _message_text(self.chat_model.invoke(build_messages(question, hits, history)))
        except Exception as exc:  # any failure of the model means: use the extractive answer
            reason = failure_reason(exc)
            log.warning("LLM call failed (%s): %s", reason, exc)
            return with_fallback(fallback, reason)
        rewriter = _MarkerRewriter()
        text = (rewriter.feed(raw) + rewriter.flush()).strip()
        return self._finish(raw, text, rewriter.mapping, question, hits, fallback)

    def stream(
        self, question: str, hits: list[Hit], history: list[Turn], fallback: Answer
    ) -> Iterator[dict]:
        """{"type": "delta"} events as the model writes, then {"type": "answer"}.

        When the finished text fails the post-check (or the call fails midway), a
        {"type": "reset"} tells the client to drop what it showed, and the extractive answer
        follows as one delta.
        """
        if not hits:
            yield from _fallback_events(with_fallback(fallback, "no_passages"), reset=False)
            return
        rewriter = _MarkerRewriter()
        raw_parts: list[str] = []
        shown: list[str] = []
        try:
            for chunk in self.chat_model.stream(build_messages(question, hits, history)):
                piece = _message_text(chunk)
                if not piece:
                    continue
                raw_parts.append(piece)
                out = rewriter.feed(piece)
                if out:
                    shown.append(out)
                    yield {"type": "delta", "text": out}
            tail = rewriter.flush()
            if tail:
                shown.append(tail)
                yield {"type": "delta", "text": tail}
        except Exception as exc:
            reason = failure_reason(exc)
            log.warning("LLM stream failed (%s): %s", reason, exc)
            yield from _fallback_events(with_fallback(fallback, reason), reset=bool(shown))
            return
        text = "".join(shown).strip()
        answer = self._finish("".join(raw_parts), text, rewriter.mapping, question, hits, fallback)
        if "llm_fallback" in answer.meta:
            yield from _fallback_events(answer, reset=bool(shown))
            return
        yield {"type": "answer", "answer": answer}

    def _finish(
        self,
        raw: str,
        text: str,
        mapping: dict[int, int],
        question: str,
        hits: list[Hit],
        fallback: Answer,
    ) -> Answer:
        if not text:
            return with_fallback(fallback, "empty")
        problems = check_grounded(raw, hits, question)
        if problems:
            log.info("LLM answer rejected: %s", "; ".join(problems))
            return with_fallback(fallback, "ungrounded: " + "; ".join(problems))
        order = sorted(mapping, key=mapping.__getitem__)
        return Answer(
            text=text,
            intent="answer",
            abstained=False,
            citations=build_citations(text, hits, order, question),
            suggestions=list(fallback.suggestions),
            latency_ms=fallback.latency_ms,
            meta={**fallback.meta, "llm": self.model_name},
        )


def _fallback_events(answer: Answer, reset: bool) -> Iterable[dict]:
    if reset:
        yield {"type": "reset"}
    if answer.text:
        yield {"type": "delta", "text": answer.text}
    yield {"type": "answer", "answer": answer}


def build_composer(settings: Settings) -> LLMComposer | None:
    """An LLMComposer when NQ57_LLM_BASE_URL and NQ57_LLM_MODEL are set, else None."""
    if settings.llm_base_url and settings.llm_model:
        return LLMComposer(settings)
    return None
