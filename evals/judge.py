"""Optional model-judged metrics: faithfulness and answer relevance (as RAGAS defines them).

- faithfulness: the answer is split into claims; the share of claims the context supports.
- answer relevance: questions are generated back from the answer; their mean similarity to the
  original question, 0 when the answer is noncommittal.

These figures come from a language model, not from matching, and the reports label them so.
They run only when an OpenAI-compatible endpoint is configured (llm_base_url and llm_model).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nq57.settings import Settings, get_settings
from nq57.text import fold, match_key, words

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

FAITHFULNESS_PROMPT = """Bạn là người chấm điểm. Hãy tách CÂU TRẢ LỜI thành các khẳng định ngắn,
độc lập, rồi cho biết mỗi khẳng định có được NGỮ CẢNH hỗ trợ trực tiếp hay không.
Chỉ trả về JSON đúng dạng: {{"claims": [{{"claim": "...", "supported": true}}]}}

NGỮ CẢNH:
{context}

CÂU HỎI: {question}

CÂU TRẢ LỜI:
{answer}"""

RELEVANCE_PROMPT = """Bạn là người chấm điểm. Hãy viết {n} câu hỏi mà CÂU TRẢ LỜI dưới đây trả
lời trực tiếp. Đặt "noncommittal" là 1 nếu câu trả lời lảng tránh, mơ hồ hoặc không trả lời,
ngược lại là 0. Chỉ trả về JSON đúng dạng: {{"questions": ["..."], "noncommittal": 0}}

CÂU TRẢ LỜI:
{answer}"""

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class JudgeError(RuntimeError):
    """The judge is not configured or its model replied with something unusable."""


def judge_configured(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return bool(settings.llm_base_url and settings.llm_model)


def make_llm(settings: Settings | None = None) -> Any:
    settings = settings or get_settings()
    if not judge_configured(settings):
        raise JudgeError("model judge needs NQ57_LLM_BASE_URL and NQ57_LLM_MODEL")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        temperature=0,
    )


def parse_json(content: str) -> dict:
    """The first JSON object in a model reply (code fences and chatter around it tolerated)."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise JudgeError(f"judge reply has no JSON object: {content[:120]!r}")
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise JudgeError(f"judge reply is not valid JSON ({exc.msg}): {content[:120]!r}") from None
    if not isinstance(data, dict):
        raise JudgeError("judge reply is not a JSON object")
    return data


def _ask(llm: Any, prompt: str) -> dict:
    reply = llm.invoke(prompt)
    return parse_json(str(getattr(reply, "content", reply)))


def faithfulness(llm: Any, question: str, answer: str, contexts: Sequence[str]) -> dict:
    data = _ask(
        llm,
        FAITHFULNESS_PROMPT.format(
            context="\n---\n".join(contexts) or "(trống)", question=question, answer=answer
        ),
    )
    claims = [c for c in data.get("claims", []) if isinstance(c, Mapping)]
    supported = sum(1 for c in claims if c.get("supported") is True)
    return {
        "faithfulness": supported / len(claims) if claims else None,
        "claims": [
            {"claim": str(c.get("claim", "")), "supported": bool(c.get("supported"))}
            for c in claims
        ],
    }


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def word_similarity(a: str, b: str) -> float:
    """Dice overlap of folded words: the fallback when no embedder is given."""
    wa, wb = set(words(fold(match_key(a)))), set(words(fold(match_key(b))))
    return 2 * len(wa & wb) / (len(wa) + len(wb)) if wa and wb else 0.0


def answer_relevance(
    llm: Any, question: str, answer: str, embed: Embed | None = None, n: int = 3
) -> dict:
    data = _ask(llm, RELEVANCE_PROMPT.format(n=n, answer=answer))
    generated = [str(q) for q in data.get("questions", []) if str(q).strip()]
    noncommittal = bool(int(data.get("noncommittal", 0) or 0))
    if not generated:
        return {"answer_relevance": 0.0, "questions": [], "noncommittal": noncommittal}
    if embed is not None:
        vectors = list(embed([question, *generated]))
        sims = [_cosine(vectors[0], v) for v in vectors[1:]]
    else:
        sims = [word_similarity(question, q) for q in generated]
    score = 0.0 if noncommittal else sum(sims) / len(sims)
    return {"answer_relevance": score, "questions": generated, "noncommittal": noncommittal}


@dataclass
class Case:
    id: str
    question: str
    answer: str
    contexts: list[str]


def _cases(source: Any) -> Iterator[Case]:
    """Answered items of a RunResult (full chunk texts) or of a results.json dict."""
    if hasattr(source, "items") and not isinstance(source, Mapping):
        for r in source.items:
            answer = r.run.answer
            if r.run.error or answer.get("abstained") or not answer.get("text"):
                continue
            contexts = [c["quote"] for c in answer.get("citations", []) if c.get("quote")]
            contexts += [h["text"] for h in r.run.retrieved[:5]]
            yield Case(r.item.id, r.item.question, answer["text"], contexts)
        return
    for rec in source.get("items", []):
        if rec.get("error") or rec.get("abstained") or not rec.get("answer"):
            continue
        contexts = [c["quote"] for c in rec.get("citations", []) if c.get("quote")]
        contexts += [h["text"] for h in rec.get("retrieved", [])[:5]]
        yield Case(str(rec["id"]), rec["question"], rec["answer"], contexts)


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def judge_run(
    source: Any,
    settings: Settings | None = None,
    llm: Any = None,
    embed: Embed | None = None,
    limit: int | None = None,
) -> dict:
    """Judge every answered item; a reply the judge cannot parse is that item's error."""
    settings = settings or get_settings()
    llm = llm or make_llm(settings)
    items: dict[str, dict] = {}
    for n, case in enumerate(_cases(source)):
        if limit is not None and n >= limit:
            break
        try:
            f = faithfulness(llm, case.question, case.answer, case.contexts)
            r = answer_relevance(llm, case.question, case.answer, embed)
            items[case.id] = {**f, **r, "error": None}
        except Exception as exc:
            items[case.id] = {"faithfulness": None, "answer_relevance": None, "error": str(exc)}
    return {
        "label": "judged by a model",
        "model": settings.llm_model or getattr(llm, "model_name", None),
        "similarity": "embedding cosine" if embed else "word overlap (Dice)",
        "n": len(items),
        "errors": sum(1 for v in items.values() if v["error"]),
        "faithfulness": _mean([v["faithfulness"] for v in items.values()]),
        "answer_relevance": _mean([v["answer_relevance"] for v in items.values()]),
        "items": items,
    }
