"""The question bank as a second way in to passages (retrieval/questions.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.questions import (
    QuestionIndex,
    build_question_index,
    chunks_quoting,
    group_key,
    read_questions,
)

PAYLOADS = {
    "c1": {"doc": "a.txt", "text": "Điều 1. Chi cho nghiên cứu  phát triển đạt 2% GDP."},
    "c2": {"doc": "a.txt", "text": "Điều 2. Phổ cập mạng di động 5G."},
    "c3": {"doc": "b.txt", "text": "Điều 1. Chi cho nghiên cứu phát triển đạt 2% GDP."},
}


def _bank(tmp_path, rows):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "bank.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return tmp_path


def _rows():
    return [
        {
            "doc": "a.txt",
            "quote": "chi cho nghiên cứu phát triển",
            "question": "tiền cho khoa học?",
            "kind": "answerable",
        },
        {
            "doc": "a.txt",
            "quote": "mạng di động 5G",
            "question": "sóng điện thoại mới?",
            "kind": "answerable",
        },
        {
            "doc": "a.txt",
            "quote": "mạng di động 5G",
            "question": "giá cước 5G?",
            "kind": "near_miss",
        },
    ]


def _embed(texts):
    # Two axes stand for two meanings: money for science, and mobile networks.
    return [[1.0, 0.1] if "khoa học" in t else [0.1, 1.0] for t in texts]


def test_only_answerable_questions_are_read(tmp_path):
    questions = read_questions(_bank(tmp_path, _rows()))
    assert [q.question for q in questions] == ["tiền cho khoa học?", "sóng điện thoại mới?"]
    assert read_questions(tmp_path / "absent") == []


def test_a_question_points_at_the_chunks_of_its_document_holding_its_quote(tmp_path):
    questions = read_questions(_bank(tmp_path, _rows()))
    # Case and runs of whitespace aside; the same sentence in b.txt is another document's.
    assert chunks_quoting(questions, PAYLOADS) == [["c1"], ["c2"]]


def test_the_nearest_questions_give_their_passages_best_first(tmp_path):
    questions = read_questions(_bank(tmp_path, _rows()))
    index = build_question_index(questions, PAYLOADS, str, _embed, "m")
    assert len(index) == 2
    found = index.match([0.2, 1.0], limit=2)
    assert [pid for pid, _ in found] == ["c2", "c1"]
    assert found[0][1] > found[1][1]


def test_a_group_left_out_is_not_found_and_comes_back_after(tmp_path):
    questions = read_questions(_bank(tmp_path, _rows()))
    index = build_question_index(questions, PAYLOADS, str, _embed, "m")
    own = group_key("bank.jsonl", "a.txt", "mạng di động 5G")
    with index.without({own}):
        assert [pid for pid, _ in index.match([0.0, 1.0], limit=1)] == ["c1"]
    assert [pid for pid, _ in index.match([0.0, 1.0], limit=1)] == ["c2"]


def test_questions_whose_quote_no_chunk_holds_are_left_out(tmp_path):
    rows = [
        *_rows(),
        {"doc": "a.txt", "quote": "không có ở đâu", "question": "x?", "kind": "answerable"},
    ]
    index = build_question_index(read_questions(_bank(tmp_path, rows)), PAYLOADS, str, _embed, "m")
    assert len(index) == 2


def test_an_unchanged_bank_is_not_embedded_again(tmp_path):
    questions = read_questions(_bank(tmp_path, _rows()))
    first = build_question_index(questions, PAYLOADS, str, _embed, "m")

    def fail(_texts):
        raise AssertionError("embedded again")

    assert build_question_index(questions, PAYLOADS, str, fail, "m", first.digest) is None
    # Another model: embedded again.
    with pytest.raises(AssertionError):
        build_question_index(questions, PAYLOADS, str, fail, "other", first.digest)


def test_save_and_load_give_the_same_index(tmp_path):
    questions = read_questions(_bank(tmp_path, _rows()))
    index = build_question_index(questions, PAYLOADS, str, _embed, "m")
    path = tmp_path / "index" / "questions.npz"
    index.save(path)
    loaded = QuestionIndex.load(path)
    assert loaded is not None
    assert loaded.chunks == index.chunks and loaded.groups == index.groups
    assert loaded.digest == index.digest
    assert QuestionIndex.stored(path) == (index.digest, 2)
    assert np.allclose(loaded.vectors, index.vectors)
    assert QuestionIndex.load(tmp_path / "none.npz") is None


def test_the_shipped_index_ties_nearly_every_bank_question_to_a_passage(index_settings):
    from retrieval.questions import QUESTIONS_FILE

    index = QuestionIndex.load(index_settings.index_dir / QUESTIONS_FILE)
    asked = read_questions(index_settings.questions_dir)
    assert index is not None
    assert len(index) >= 0.97 * len(asked)


QUOTE = "Xây dựng một số trường, trung tâm đào tạo tiên tiến chuyên sâu về trí tuệ nhân tạo"
# Everyday words that share nothing with the passage's own: "máy biết nghĩ" for "trí tuệ nhân
# tạo", "chỗ dạy" for "trường, trung tâm đào tạo".
ASKED = "có định mở chỗ dạy riêng về máy biết nghĩ không?"
ASKED_AGAIN = "nhà nước có lập nơi dạy chuyên sâu về máy biết nghĩ chứ?"


@pytest.fixture(scope="module")
def asked_corpus(tmp_path_factory):
    """The real corpus with a bank of one question, indexed."""
    import shutil

    from ingest.pipeline import ingest
    from tests.conftest import EMBED_CACHE
    from tests.live_corpus import live_settings

    settings = live_settings(tmp_path_factory.mktemp("asked"), EMBED_CACHE.resolve())
    shutil.rmtree(settings.questions_dir)
    _bank(
        settings.questions_dir,
        [
            {"doc": "nq-57-2024.txt", "quote": QUOTE, "question": ASKED, "kind": "answerable"},
        ],
    )
    report = ingest(settings)
    assert report.questions == 1
    return settings


def _rank(settings, question: str, weight: float) -> int | None:
    from retrieval.search import Retriever

    retriever = Retriever(settings.model_copy(update={"question_weight": weight}))
    try:
        hits = retriever.search(question, k=10)
    finally:
        retriever.store.close()
    return next((i for i, h in enumerate(hits, 1) if QUOTE in h.text), None)


def test_a_paraphrase_finds_the_passage_through_a_question_asked_of_it(asked_corpus):
    without, with_bank = (
        _rank(asked_corpus, ASKED_AGAIN, 0.0),
        _rank(asked_corpus, ASKED_AGAIN, 1.0),
    )
    assert with_bank is not None and with_bank <= 3
    assert without is None or without > with_bank


def test_the_question_index_is_rebuilt_only_when_the_bank_changes(asked_corpus):
    from ingest.pipeline import ingest
    from retrieval.questions import QUESTIONS_FILE

    path = asked_corpus.index_dir / QUESTIONS_FILE
    before = path.stat().st_mtime_ns
    assert ingest(asked_corpus).questions == 1
    assert path.stat().st_mtime_ns == before
    _bank(
        asked_corpus.questions_dir,
        [
            {"doc": "nq-57-2024.txt", "quote": QUOTE, "question": ASKED, "kind": "answerable"},
            {
                "doc": "nq-57-2024.txt",
                "quote": QUOTE,
                "question": ASKED_AGAIN,
                "kind": "answerable",
            },
        ],
    )
    assert ingest(asked_corpus).questions == 2
