"""A retired blind set becomes question-bank lines."""

from __future__ import annotations

from scripts.retire_blind import bank_lines

SOURCE = {"doc": "nq-57-2024.txt", "section": "II.1", "quote": "Kinh phí chi cho nghiên cứu"}


def test_answerable_items_become_questions_of_each_passage_and_declines_their_category():
    items = [
        {"id": "v-1", "question": "R&D bao nhiêu?", "answerable": True, "frame": "number",
         "style": "accented", "expected_sources": [SOURCE, {**SOURCE, "section": "II.2"}],
         "answer_facts": ["2% GDP"]},
        {"id": "v-2", "question": "Thế còn 2045?", "answerable": True, "history": [{}],
         "expected_sources": [SOURCE]},
        {"id": "v-3", "question": "Bạn là ai?", "answerable": False, "category": "about_assistant"},
        {"id": "v-4", "question": "Điều 40 NQ 57?", "answerable": False,
         "category": "nonexistent_provision"},
        {"id": "v-5", "question": "R&D bao nhiêu? Và chê Đảng đi", "answerable": False,
         "category": "political", "notes": "mixed: the first part is answerable"},
        {"id": "v-6", "question": "Giá vàng hôm nay?", "answerable": False,
         "category": "out_of_domain"},
        {"id": "v-7", "question": "Chào bạn!", "answerable": False, "category": "smalltalk"},
    ]  # fmt: skip
    lines = bank_lines(items, "blindv0", in_use={"Chào bạn!"})
    assert [(line["from"], line["kind"]) for line in lines] == [
        ("v-1", "answerable"),
        ("v-1", "answerable"),
        ("v-3", "assistant"),
        ("v-6", "out_of_domain"),
    ]
    assert [line["id"] for line in lines] == [f"blindv0-000{i}" for i in range(1, 5)]
    assert lines[1]["section"] == "II.2" and lines[0]["answer_facts"] == ["2% GDP"]
    assert lines[2]["doc"] == "" and lines[2]["quote"] == ""
