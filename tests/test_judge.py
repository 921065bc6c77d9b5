"""Model-judged metrics against a local fake OpenAI-compatible endpoint started here."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.answer import Answer, Citation
from evals.gold_io import parse_gold
from evals.judge import JudgeError, judge_configured, judge_run, parse_json, word_similarity
from evals.report import write_report
from evals.runner import CallableBackend, run_gold
from nq57.settings import Settings

QUOTE = "Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP"

CLAIMS = {
    "claims": [
        {"claim": "Kinh phí R&D đạt 2% GDP", "supported": True},
        {"claim": "Mục tiêu đến năm 2045", "supported": False},
    ]
}
QUESTIONS = {
    "questions": ["Kinh phí R&D đạt bao nhiêu GDP?", "Thời tiết thế nào?"],
    "noncommittal": 0,
}


class _FakeLLM(BaseHTTPRequestHandler):
    prompts: list[str] = []  # noqa: RUF012

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        self.prompts.append(prompt)
        if "PHÁ HỎNG" in prompt:
            content = "Tôi không chắc."  # no JSON: the item gets an error
        elif '"claims"' in prompt:
            content = "```json\n" + json.dumps(CLAIMS, ensure_ascii=False) + "\n```"
        else:
            content = "Kết quả: " + json.dumps(QUESTIONS, ensure_ascii=False)
        data = json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def llm_url() -> Iterator[str]:
    _FakeLLM.prompts = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLLM)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _gold_line(iid: str, question: str, answerable: bool = True) -> str:
    sources = [{"doc": "nq-57-2024.txt", "section": "II.1", "quote": QUOTE}] if answerable else []
    return json.dumps(
        {
            "id": iid,
            "question": question,
            "persona": "citizen",
            "style": "accented",
            "expected_sources": sources,
            "answer_facts": ["2% GDP"] if answerable else [],
            "answerable": answerable,
            "notes": "" if answerable else "out_of_scope",
        },
        ensure_ascii=False,
    )


def _run():
    gold = parse_gold(
        "\n".join(
            [
                _gold_line("q1", "Kinh phí R&D đạt bao nhiêu GDP?"),
                _gold_line("q2", "PHÁ HỎNG câu này"),
                _gold_line("q3", "Thời tiết thế nào?", answerable=False),
            ]
        )
    )

    def ask(q: str, history: list[dict]) -> Answer:
        if "Thời tiết" in q:
            return Answer(text="Ngoài phạm vi.", intent="out_of_scope", abstained=True)
        cite = Citation("nq-57-2024.txt", "nq-57-2024", "57-NQ/TW", "NQ 57", "II.1", QUOTE, "/d")
        return Answer(text=f"{q}: {QUOTE} [1]", intent="answer", abstained=False, citations=[cite])

    def search(q: str, history: list[dict]) -> list[dict]:
        return [{"doc": "nq-57-2024.txt", "locator": "II.1", "text": QUOTE, "score": 1.0}]

    return run_gold(gold, CallableBackend(search, ask))


def test_not_configured() -> None:
    settings = Settings(llm_base_url=None, llm_model=None)
    assert not judge_configured(settings)
    with pytest.raises(JudgeError, match="NQ57_LLM_BASE_URL"):
        judge_run(_run(), settings=settings)


def test_judge_against_fake_endpoint(llm_url: str, tmp_path: Path) -> None:
    settings = Settings(llm_base_url=llm_url, llm_model="fake-judge", llm_max_retries=0)
    assert judge_configured(settings)
    run = _run()
    judged = judge_run(run, settings=settings)
    # Only the two answered items are judged; the abstention is not.
    assert judged["n"] == 2 and set(judged["items"]) == {"q1", "q2"}
    assert judged["errors"] == 1 and "no JSON object" in judged["items"]["q2"]["error"]
    q1 = judged["items"]["q1"]
    assert q1["faithfulness"] == pytest.approx(0.5)
    expected = (
        word_similarity("Kinh phí R&D đạt bao nhiêu GDP?", QUESTIONS["questions"][0]) + 0.0
    ) / 2
    assert q1["answer_relevance"] == pytest.approx(expected)
    assert judged["faithfulness"] == pytest.approx(0.5)
    assert judged["label"] == "judged by a model" and judged["model"] == "fake-judge"
    # The context (citation quote) reached the judge.
    assert any(QUOTE in p and "Kinh phí R&D đạt bao nhiêu GDP?" in p for p in _FakeLLM.prompts)

    run.judged = judged
    out = write_report(run, tmp_path)
    for name in ("markdown", "html"):
        text = Path(out["files"][name]).read_text(encoding="utf-8")
        assert "judged by a model" in text and "fake-judge" in text
    results = json.loads(Path(out["files"]["results"]).read_text(encoding="utf-8"))
    assert results["judged"]["faithfulness"] == pytest.approx(0.5)


def test_relevance_with_embeddings(llm_url: str) -> None:
    from evals.judge import answer_relevance, make_llm

    llm = make_llm(Settings(llm_base_url=llm_url, llm_model="fake-judge", llm_max_retries=0))

    def embed(texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if "R&D" in t else [0.0, 1.0] for t in texts]

    r = answer_relevance(llm, "Kinh phí R&D?", "2% GDP", embed=embed)
    assert r["answer_relevance"] == pytest.approx(0.5) and not r["noncommittal"]


def test_parse_json() -> None:
    assert parse_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json('Đây: {"a": [1, 2]} xong') == {"a": [1, 2]}
    with pytest.raises(JudgeError):
        parse_json("[1, 2]")
    with pytest.raises(JudgeError):
        parse_json("{not json}")
