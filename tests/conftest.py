"""Shared fixtures.

`assistant` is the real assistant over the real corpus (index built once per session in a temp
data dir). Until the answering pipeline is wired, it is a minimal stand-in with the same protocol.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class _StandIn:
    """Temporary: replaced by bot.Assistant over a session index."""

    def ask(self, message, history=None):
        from bot.answer import Answer, Citation

        low = message.lower()
        if any(w in low for w in ("xin chào", "chào", "xin chao", "cảm ơn")):
            return Answer(text="Xin chào! Tôi có thể giúp gì về Nghị quyết 57?", intent="smalltalk", abstained=True)
        if "thời tiết" in low or "thoi tiet" in low:
            return Answer(text="Câu hỏi nằm ngoài phạm vi.", intent="out_of_scope", abstained=True)
        quote = "Đến năm 2030, tiềm lực, trình độ khoa học, công nghệ và đổi mới sáng tạo đạt mức tiên tiến"
        return Answer(
            text=f"Theo Nghị quyết 57-NQ/TW: «{quote}» [1]",
            intent="answer",
            abstained=False,
            citations=[Citation(doc="nq-57-2024.txt", doc_id="nq-57-2024", doc_number="57-NQ/TW",
                                doc_title="Nghị quyết 57", locator="II.2", quote=quote,
                                url="/documents/nq-57-2024#ii-2")],
        )

    def stream(self, message, history=None):
        answer = self.ask(message, history)
        for word in answer.text.split(" "):
            yield {"type": "delta", "text": word + " "}
        yield {"type": "answer", "answer": answer}


@pytest.fixture(scope="session")
def assistant():
    return _StandIn()
