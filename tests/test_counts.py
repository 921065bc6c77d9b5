"""How many rows a named annex holds, read from the real corpus."""

from __future__ import annotations

import pytest

from bot.counts import asks_count, count_rows


@pytest.mark.parametrize(
    ("question", "count", "locator"),
    [
        ("nq03 phụ lục I có bn chỉ tiêu v", 41, "Phụ lục I, nhóm II"),
        ("Phụ lục II Nghị quyết 03 có tất cả bao nhiêu nhiệm vụ?", 140, "Phụ lục II, nhiệm vụ 140"),
        # An annex numbered in Arabic by the one who asks is the document's Roman one.
        ("phu luc 2 nq03 co tong cong bn nhiem vu z mn", 140, "Phụ lục II, nhiệm vụ 140"),
    ],
)
def test_the_rows_of_an_annex_are_counted_and_the_last_cited(assistant, question, count, locator):
    answer = assistant.ask(question)
    assert answer.meta.get("plan") == "count", answer.meta
    assert f"có {count} " in answer.text.split("\n")[0], answer.text
    assert answer.citations[0].locator == locator
    assert answer.citations[0].quote.startswith(str(count))


def test_rows_numbered_again_in_each_group_are_not_counted(assistant):
    chunks = assistant.retriever.chunks("qd-2629-ttg-2025")
    assert count_rows("II", chunks) is None
    assert count_rows("I", assistant.retriever.chunks("nq-03-cp-2025")).count == 41


def test_a_count_question():
    assert asks_count("Phụ lục I có bao nhiêu chỉ tiêu?")
    assert asks_count("tong so nhiem vu trong phu luc II")
    assert not asks_count("Phụ lục I đặt chỉ tiêu bao nhiêu phần trăm?")
