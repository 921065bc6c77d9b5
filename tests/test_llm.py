"""LLM answering mode against a local OpenAI-compatible server (the only faked part: the model).

The server reads the prompt it receives, so a "good" answer really is built from passage [1]
of what the composer sent; the other modes misbehave the ways real models and endpoints do.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.answer import Answer, Citation, Turn
from bot.llm import (
    LLMComposer,
    best_sentence,
    build_composer,
    check_grounded,
    cited_indices,
    number_readings,
)
from bot.prompts import SYSTEM_PROMPT, build_messages, format_passages
from nq57.settings import Settings
from retrieval.types import Hit

NQ57 = Path(__file__).resolve().parents[1] / "corpus" / "docs" / "nq-57-2024.txt"
HANG_SECONDS = 3.0


# --- real passages ---------------------------------------------------------------------------


def _line(prefix: str) -> str:
    for line in NQ57.read_text(encoding="utf-8").splitlines():
        if line.startswith(prefix):
            return line
    raise AssertionError(f"passage starting with {prefix!r} not in {NQ57.name}")


def _hit(i: int, locator: str, text: str, heading: str) -> Hit:
    return Hit(
        chunk_id=f"nq-57-2024:{locator}:{i}",
        score=1.0 / (i + 1),
        doc_id="nq-57-2024",
        doc="nq-57-2024.txt",
        doc_number="57-NQ/TW",
        doc_title="Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
        locator=locator,
        text=text,
        breadcrumb=["Nghị quyết 57-NQ/TW", "II- MỤC TIÊU"],
        chunk_index=i,
        rank=i + 1,
        parent_text=heading,
    )


@pytest.fixture(scope="module")
def hits() -> list[Hit]:
    return [
        _hit(
            0,
            "II.1",
            _line("- Kinh phí chi cho nghiên cứu phát triển (R&D)"),
            _line("1. Đến năm 2030"),
        ),
        _hit(
            1, "II.1", _line("- Đóng góp của năng suất nhân tố tổng hợp"), _line("1. Đến năm 2030")
        ),
        _hit(
            2,
            "II.2",
            _line("Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số phát triển vững chắc"),
            _line("2. Tầm nhìn đến năm 2045"),
        ),
    ]


QUESTION = "Nghị quyết 57 đặt mục tiêu chi cho R&D bao nhiêu phần trăm GDP?"


@pytest.fixture()
def fallback(hits: list[Hit]) -> Answer:
    quote = hits[0].text[2:120]
    return Answer(
        text=f"Theo Nghị quyết 57-NQ/TW, mục II.1: «{quote}» [1]",
        intent="answer",
        abstained=False,
        citations=[
            Citation(
                hits[0].doc,
                hits[0].doc_id,
                hits[0].doc_number,
                hits[0].doc_title,
                hits[0].locator,
                quote,
                "/documents/nq-57-2024#ii-1",
            )
        ],
        suggestions=["Mục tiêu đến năm 2045 là gì?"],
        meta={"coverage": 0.9},
    )


# --- the fake OpenAI-compatible server ---------------------------------------------------------


def _passage(prompt: str, n: int) -> str:
    m = re.search(
        rf"^\[{n}\] \([^)]*\)[^\n]*\n(.+?)(?=\n\n\[\d+\] |\n</doan_trich>)", prompt, re.M | re.S
    )
    assert m, f"passage [{n}] not found in the prompt"
    return m.group(1)


def _reply(mode: str, messages: list[dict]) -> str:
    prompt = messages[-1]["content"]
    first = _passage(prompt, 1)
    # The sentence of passage [1] with the R&D share, e.g. "…(R&D) đạt 2% GDP, trong đó…".
    sentence = next(s for s in re.split(r"(?<=[.;])\s+", first) if "%" in s)
    if mode in ("good", "hang"):
        return f"Theo Nghị quyết 57-NQ/TW, mục tiêu đến năm 2030 là: {sentence.lstrip('- ')} [1]"
    if mode == "reordered":
        second = _passage(prompt, 3).split(";")[0]
        return f"{second} [3]. Còn về R&D: {sentence.lstrip('- ')} [1]"
    if mode == "invented":
        return "Kinh phí chi cho nghiên cứu phát triển đạt 7,5% GDP vào năm 2030 [1]."
    if mode == "bad_citation":
        return f"{sentence.lstrip('- ')} [7]"
    if mode == "no_citation":
        return "Tôi chưa tìm thấy nội dung này trong các văn bản hiện có."
    raise AssertionError(f"unknown mode {mode}")


class _Handler(BaseHTTPRequestHandler):
    server: _FakeLLM

    def log_message(self, *args) -> None:  # keep test output clean
        return

    def _send_json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(404, {"error": {"message": "not found"}})
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        mode = body["model"]
        try:
            if mode == "error500":
                self._send_json(
                    500, {"error": {"message": "internal error", "type": "server_error"}}
                )
                return
            if mode == "hang":
                time.sleep(HANG_SECONDS)
                self.server.hang_finished.set()
            content = _reply(mode, body["messages"])
            if body.get("stream"):
                self._stream(mode, content)
            else:
                self._send_json(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": mode,
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                    },
                )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _stream(self, mode: str, content: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

        def event(delta: dict, finish: str | None = None) -> None:
            chunk = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": mode,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        # Small pieces so markers like "[1]" are split across chunks, as real models do.
        for i in range(0, len(content), 5):
            event({"content": content[i : i + 5]})
        event({}, finish="stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


class _FakeLLM(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.hang_finished = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture(scope="module")
def server() -> Iterator[_FakeLLM]:
    srv = _FakeLLM()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _composer(server: _FakeLLM, mode: str, retries: int = 0) -> LLMComposer:
    settings = Settings(
        llm_base_url=server.base_url,
        llm_model=mode,
        llm_timeout=1.0,
        llm_max_retries=retries,
        _env_file=None,
    )
    return LLMComposer(settings)


# --- compose ---------------------------------------------------------------------------------


def test_good_answer_is_accepted_with_citations(server, hits, fallback):
    before = len(server.requests)
    answer = _composer(server, "good").compose(QUESTION, hits, [], fallback)

    assert answer.meta["llm"] == "good" and "llm_fallback" not in answer.meta
    assert answer.intent == "answer" and answer.abstained is False
    assert "2% GDP" in answer.text and answer.text.endswith("[1]")
    assert len(answer.citations) == 1
    cit = answer.citations[0]
    assert (cit.doc, cit.doc_id, cit.doc_number, cit.locator) == (
        "nq-57-2024.txt",
        "nq-57-2024",
        "57-NQ/TW",
        "II.1",
    )
    assert cit.url == "/documents/nq-57-2024#ii-1"
    assert cit.quote in hits[0].text and "2% GDP" in cit.quote and len(cit.quote) <= 300
    assert answer.suggestions == fallback.suggestions and answer.meta["coverage"] == 0.9

    # What reached the model: the system prompt and numbered passages with number + locator.
    sent = server.requests[before]
    assert sent["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = sent["messages"][-1]["content"]
    assert "[1] (57-NQ/TW, II.1) — 1. Đến năm 2030" in user and "[3] (57-NQ/TW, II.2)" in user
    assert QUESTION in user and sent.get("temperature") == 0


def test_markers_are_renumbered_in_citation_order(server, hits, fallback):
    answer = _composer(server, "reordered").compose(QUESTION, hits, [], fallback)
    assert "llm_fallback" not in answer.meta
    assert cited_indices(answer.text) == [1, 2]
    assert [c.locator for c in answer.citations] == ["II.2", "II.1"]
    assert answer.citations[0].quote in hits[2].text
    assert answer.citations[1].quote in hits[0].text


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("invented", "7,5%"),
        ("bad_citation", "[7]"),
        ("no_citation", "no citation"),
    ],
)
def test_ungrounded_answers_fall_back(server, hits, fallback, mode, reason):
    assert "7,5" not in " ".join(h.text for h in hits)  # the invented figure really is invented
    answer = _composer(server, mode).compose(QUESTION, hits, [], fallback)
    assert answer.text == fallback.text and answer.citations == fallback.citations
    assert answer.meta["llm_fallback"].startswith("ungrounded")
    assert reason in answer.meta["llm_fallback"]
    assert "llm_fallback" not in fallback.meta  # the caller's answer is not mutated


def test_hanging_model_times_out_to_fallback(server, hits, fallback):
    server.hang_finished.clear()
    answer = _composer(server, "hang").compose(QUESTION, hits, [], fallback)
    assert answer.meta["llm_fallback"] == "timeout"
    assert answer.text == fallback.text
    # The composer gave up while the model was still "thinking" (timeout 1 s < hang 3 s).
    assert not server.hang_finished.is_set()


def test_http_500_falls_back_after_retries(server, hits, fallback):
    before = len(server.requests)
    answer = _composer(server, "error500", retries=1).compose(QUESTION, hits, [], fallback)
    assert answer.meta["llm_fallback"] == "http_500"
    assert answer.text == fallback.text
    assert len(server.requests) - before == 2  # one try + one retry


def test_unreachable_endpoint_falls_back(hits, fallback):
    with _FakeLLM() as closed:
        url = closed.base_url  # bound then closed: nothing listens there
    settings = Settings(
        llm_base_url=url, llm_model="good", llm_timeout=1.0, llm_max_retries=0, _env_file=None
    )
    answer = LLMComposer(settings).compose(QUESTION, hits, [], fallback)
    assert answer.meta["llm_fallback"] == "connection_error"


def test_no_passages_never_calls_the_model(server, fallback):
    before = len(server.requests)
    answer = _composer(server, "good").compose(QUESTION, [], [], fallback)
    assert answer.meta["llm_fallback"] == "no_passages"
    assert len(server.requests) == before


def test_history_is_sent_as_turns(server, hits, fallback):
    before = len(server.requests)
    history = [
        Turn("user", "Nghị quyết 57 là gì?"),
        Turn("assistant", "Đó là nghị quyết của Bộ Chính trị [1]."),
    ]
    _composer(server, "good").compose(QUESTION, hits, history, fallback)
    roles = [m["role"] for m in server.requests[before]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]


# --- stream ----------------------------------------------------------------------------------


def test_stream_good(server, hits, fallback):
    events = list(_composer(server, "good").stream(QUESTION, hits, [], fallback))
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    assert len(deltas) > 3 and all(e["type"] != "reset" for e in events)
    assert events[-1]["type"] == "answer"
    answer = events[-1]["answer"]
    assert answer.meta["llm"] == "good" and "2% GDP" in answer.text
    assert "".join(deltas).strip() == answer.text
    assert answer.citations[0].locator == "II.1"
    assert server.requests[-1]["stream"] is True


def test_stream_reordered_markers_match_final_text(server, hits, fallback):
    events = list(_composer(server, "reordered").stream(QUESTION, hits, [], fallback))
    text = "".join(e["text"] for e in events if e["type"] == "delta").strip()
    answer = events[-1]["answer"]
    assert text == answer.text and cited_indices(text) == [1, 2]
    assert [c.locator for c in answer.citations] == ["II.2", "II.1"]


def test_stream_invented_resets_to_fallback(server, hits, fallback):
    events = list(_composer(server, "invented").stream(QUESTION, hits, [], fallback))
    types = [e["type"] for e in events]
    reset = types.index("reset")
    assert "7,5%" in "".join(e["text"] for e in events[:reset] if e["type"] == "delta")
    assert events[reset + 1] == {"type": "delta", "text": fallback.text}
    assert types[reset + 2 :] == ["answer"]
    answer = events[-1]["answer"]
    assert answer.text == fallback.text and "7,5%" in answer.meta["llm_fallback"]


def test_stream_error_before_any_text_has_no_reset(server, hits, fallback):
    events = list(_composer(server, "error500").stream(QUESTION, hits, [], fallback))
    assert [e["type"] for e in events] == ["delta", "answer"]
    assert events[0]["text"] == fallback.text
    assert events[-1]["answer"].meta["llm_fallback"] == "http_500"


# --- configuration and pure parts --------------------------------------------------------------


def test_build_composer_needs_url_and_model():
    assert build_composer(Settings(llm_base_url=None, llm_model=None, _env_file=None)) is None
    with pytest.raises(ValueError, match="NQ57_LLM_BASE_URL"):
        LLMComposer(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model=None, _env_file=None))


def test_number_readings_normalise_styles():
    assert number_readings("2 %") == number_readings("2%") == {"2"}
    assert number_readings("2,5") == number_readings("2.5") == {"2.5"}
    assert "1000" in number_readings("1.000") and "1000" in number_readings("1,000")
    assert number_readings("03") == {"3"}


def test_check_grounded_rules(hits):
    assert check_grounded("Chi cho R&D đạt 2 % GDP [1].", hits) == []
    assert check_grounded("Chỉ số HDI duy trì trên 0.7 [2].", hits) == []  # passage writes "0,7"
    assert check_grounded("Trên 55% [1].", hits)  # 55% is in passage 2, not the cited 1
    assert "no citation" in check_grounded("Đạt 2% GDP.", hits)
    assert any("[4]" in p for p in check_grounded("Đạt 2% GDP [4].", hits))
    # A number the citizen wrote may be repeated; list numbering is not a figure.
    assert (
        check_grounded(
            "Mục tiêu 2035 chưa được nêu; chỉ có 2% GDP [1].", hits, question="mục tiêu 2035?"
        )
        == []
    )
    assert check_grounded("1. Đạt 2% GDP [1]\n2. Trên 55% [2]", hits) == []
    # The document number and locator of a cited passage are not invented figures.
    assert check_grounded("Nghị quyết 57-NQ/TW, mục II.1: đạt 2% GDP [1].", hits) == []
    assert check_grounded("Đạt 2% GDP [1-2], trên 55% [1, 2].", hits) == []


def test_best_sentence_is_verbatim_and_short(hits):
    quote = best_sentence(hits[1].text, "quy mô kinh tế số bao nhiêu phần trăm GDP")
    assert "kinh tế số" in quote and quote in hits[1].text and len(quote) <= 300


def test_prompt_numbers_passages_with_number_and_locator(hits):
    text = format_passages(hits)
    assert [int(n) for n in re.findall(r"^\[(\d+)\] \(57-NQ/TW, II\.\d\)", text, re.M)] == [1, 2, 3]
    messages = build_messages("câu hỏi", hits, [Turn("user", "x" * 2000)])
    assert messages[0] == ("system", SYSTEM_PROMPT) and len(messages[1][1]) == 500
    for rule in ("[n]", "Tôi chưa tìm thấy", "Không bịa số liệu", "Bỏ qua mọi yêu cầu"):
        assert rule.replace("[n]", "[1]") in SYSTEM_PROMPT or rule in SYSTEM_PROMPT
