"""ALQAC benchmark adapter on a tiny hand-made fixture in both ALQAC formats (2022, 2023)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from evals.alqac import (
    AlqacFormatError,
    PlainBM25,
    Question,
    article_chunks,
    article_key,
    check_references,
    distinct_articles,
    load_laws,
    load_questions,
    parse_laws,
    parse_questions,
    plain_tokens,
    question_text,
    run_alqac,
    score_ranking,
    split_article,
    summarize,
)
from nq57.settings import Settings
from nq57.text import fold

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures" / "alqac"
Y2023 = FIXTURES / "y2023"
Y2022 = FIXTURES / "y2022"
LIBRARY = "Luật Thư viện cộng đồng"
BIKES = "Luật Xe đạp công cộng"


# ----------------------------------------------------------------------------- loading


def test_loads_2023_literal_strings() -> None:
    laws = load_laws(Y2023 / "law.json")
    assert [law.id for law in laws] == [LIBRARY, BIKES]
    # Ids are taken as given, gaps included (Điều 4 is absent).
    assert [a.article_id for a in laws[0].articles] == ["1", "2", "3", "5"]
    assert laws[0].articles[1].text.startswith("Thẻ bạn đọc\n")
    questions = load_questions(Y2023 / "train.json")
    assert [q.id for q in questions] == ["DS-1", "TN-1", "TL-1", "TL-2"]
    assert questions[0].relevant == frozenset({(LIBRARY, "2")})  # parsed from a literal string
    assert questions[1].relevant == frozenset({(BIKES, "3")})
    assert check_references(laws, questions) == []
    # Multiple-choice options are kept and sent only on request, folded with the stem.
    assert questions[1].choices == ("Giá trị còn lại của xe", "Giá xe mới")
    assert question_text(questions[1], "accented") == questions[1].text
    with_choices = question_text(questions[1], "unaccented", with_choices=True)
    assert with_choices.endswith("Gia tri con lai cua xe Gia xe moi")
    assert question_text(questions[0], "accented", with_choices=True) == questions[0].text


def test_loads_2022_positional_ids() -> None:
    laws = load_laws(Y2022 / "law.json")
    assert [law.id for law in laws] == ["12/2030/QH99", "07/2031/QH99"]
    assert [a.article_id for a in laws[0].articles] == ["1", "2", "3"]
    assert laws[0].articles[2].text.startswith("Khoảng cách đặt trại ong")
    questions = load_questions(Y2022 / "question.json")
    assert [q.id for q in questions] == ["q-1", "q-2", "q-3"]
    assert questions[2].relevant == frozenset({("07/2031/QH99", "2")})


def test_missing_reference_is_reported() -> None:
    laws = load_laws(Y2022 / "law.json")
    ghost = Question("x", "?", frozenset({("12/2030/QH99", "9")}))
    assert check_references(laws, [ghost]) == ["x: 12/2030/QH99 Điều 9"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"id": "x"}, "expected a list of laws"),
        ([{"id": "L"}], "expected an object with 'id' and 'articles'"),
        ([{"id": "L", "articles": "[{'id': '1'"}], "not a list literal"),
        ([{"id": "L", "articles": [{"id": "1"}]}], "article 1 has no text"),
        (
            [{"id": "L", "articles": [{"id": "1", "text": "a"}, {"id": "1", "text": "b"}]}],
            "duplicate article id",
        ),
        ([{"id": "L", "articles": []}, {"id": "L", "articles": []}], "duplicate law id"),
    ],
)
def test_bad_law_files_are_refused(data: object, fragment: str) -> None:
    with pytest.raises(AlqacFormatError, match=fragment):
        parse_laws(data, "law.json")


def test_questions_without_answers_are_refused() -> None:
    with pytest.raises(AlqacFormatError, match="no relevant_articles"):
        parse_questions([{"question_id": "DS-51", "text": "Lưu trú là gì?"}], "public_test.json")
    with pytest.raises(AlqacFormatError, match="without law_id"):
        parse_questions([{"id": "q", "text": "?", "relevant_articles": [{"law_id": "L"}]}])


def test_unreadable_file_names_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "law.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(AlqacFormatError, match="cannot read JSON"):
        load_laws(bad)
    with pytest.raises(AlqacFormatError, match="file not found"):
        load_laws(tmp_path / "missing.json")


# ----------------------------------------------------------------------------- chunks


def test_long_article_splits_and_every_piece_keeps_its_locator() -> None:
    law = load_laws(Y2023 / "law.json")[0]
    chunks = article_chunks(law, max_chars=1200, min_chars=200)
    loan = [c for c in chunks if c.locator == "Điều 5"]
    assert len(loan) >= 2
    assert all(len(c.text) <= 1200 for c in loan)
    assert all(c.breadcrumb == [LIBRARY, "Điều 5. Mượn sách về nhà"] for c in loan)
    # Pieces are cut between paragraphs and together hold the whole body, in order.
    assert "\n".join(c.text for c in loan) == "\n".join(
        p.strip() for p in law.articles[3].text.split("\n")[1:] if p.strip()
    )
    assert {c.locator for c in chunks} == {"Điều 1", "Điều 2", "Điều 3", "Điều 5"}
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    # The law's name and the article title reach the embedded text.
    assert chunks[1].embed_text.startswith(f"{LIBRARY} › Điều 2. Thẻ bạn đọc\n")


def test_split_article_cuts_sentences_and_merges_a_short_tail() -> None:
    sentence = "Người thuê xe phải trả xe tại điểm thuê xe trong ngày. "
    pieces = split_article(sentence * 10, max_chars=200, min_chars=50)
    assert all(len(p) <= 200 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces) == (sentence * 10).strip()
    merged = split_article("A" * 150 + "\n" + "b c", max_chars=151, min_chars=20)
    assert merged == ["A" * 150 + "\nb c"]


# ----------------------------------------------------------------------------- ranking, metrics


def test_article_key_reads_the_locator() -> None:
    assert article_key("L", "Điều 12") == ("L", "12")
    assert article_key("L", "Điều 7. Tên điều") == ("L", "7")
    assert article_key("L", "III.2") is None


def test_distinct_articles_collapse_to_best_rank() -> None:
    hits = [
        ("A", "Điều 5"),
        ("A", "Điều 5"),
        ("B", "Điều 5"),
        ("A", "Điều 2"),
        ("A", "Điều 5"),
        ("B", "Điều 1"),
    ]
    assert distinct_articles(hits) == [("A", "5"), ("B", "5"), ("A", "2"), ("B", "1")]
    assert distinct_articles(hits, k=2) == [("A", "5"), ("B", "5")]


def test_metrics() -> None:
    relevant = frozenset({("A", "2")})
    ranked = [("A", "5"), ("B", "5"), ("A", "2")]
    assert score_ranking(ranked, relevant).first_rank == 3
    assert score_ranking(ranked, relevant, k=2).first_rank is None
    scores = [
        score_ranking([("A", "2")], relevant),  # rank 1
        score_ranking(ranked, relevant),  # rank 3
        # rank 11: missed
        score_ranking([("X", str(i)) for i in range(10)] + [("A", "2")], relevant),
        # rank 2, one of two relevant articles found
        score_ranking([("A", "1"), ("A", "3")], frozenset({("A", "3"), ("A", "9")})),
    ]
    summary = summarize(scores)
    assert summary["n"] == 4
    assert summary["acc_at_1"] == 0.25
    assert summary["recall_at_10"] == round((1 + 1 + 0 + 0.5) / 4, 4)
    assert summary["mrr_at_10"] == round((1 + 1 / 3 + 0 + 1 / 2) / 4, 4)
    assert summarize([])["n"] == 0


def test_plain_bm25_matches_accented_tokens_only() -> None:
    laws = load_laws(Y2023 / "law.json")
    chunks = [c for law in laws for c in article_chunks(law)]
    bm25 = PlainBM25([c.embed_text for c in chunks])
    question = "Người thuê xe đạp công cộng làm mất xe thì phải bồi thường theo giá trị nào?"
    top = distinct_articles((chunks[i].doc_id, chunks[i].locator) for i in bm25.search(question))
    assert top[0] == (BIKES, "3")
    assert plain_tokens("Xe ĐẠP, công-cộng?") == ["xe", "đạp", "công-cộng"]
    # No folding: without marks "bồi thường" is a different token, so nothing matches.
    assert bm25.search("bồi thường")
    assert bm25.search(fold("bồi thường")) == []


# ----------------------------------------------------------------------------- end to end


def _metrics_ok(block: dict) -> None:
    assert set(block) == {"n", "acc_at_1", "recall_at_10", "mrr_at_10"}
    assert 0.0 <= block["acc_at_1"] <= block["mrr_at_10"] <= block["recall_at_10"] <= 1.0


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("alqac-data")


def test_run_alqac_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=data_dir, _env_file=None)
    report = run_alqac(Y2023, Y2023 / "train.json", settings)
    assert report["dataset"] == "y2023"
    assert report["n"] == 4
    for system in ("system", "bm25", "dense"):
        assert set(report[system]) == {"accented", "unaccented"}
        for block in report[system].values():
            assert block["n"] == 4
            _metrics_ok(block)
    # Four short, distinct articles: the hybrid system must find every one in the top 10,
    # with or without diacritics.
    assert report["system"]["accented"]["recall_at_10"] == 1.0
    assert report["system"]["unaccented"]["recall_at_10"] == 1.0
    assert report["acc_at_1"] == report["system"]["accented"]["acc_at_1"]
    assert report["index"]["rebuilt"] is True
    assert report["index"]["chunks"] > report["index"]["articles"] == 7
    assert report["latency_ms"]["p95"] >= report["latency_ms"]["p50"] > 0
    root = data_dir / "alqac" / "y2023"
    assert (root / "current").is_symlink()
    assert list(root.glob("restorer-*.json.gz"))

    # Unchanged law file: the collection is reused, with the same results.
    again = run_alqac(
        Y2023,
        Y2023 / "train.json",
        settings,
        strip_diacritics=True,
        baselines=False,
        limit=2,
        retriever_params={"rrf_k": 20, "weights": [1.0, 1.0]},
    )
    assert again["params"]["rrf_k"] == 20
    assert again["params"]["weights"] == [1.0, 1.0]
    with pytest.raises(ValueError, match="unknown retriever parameter"):
        run_alqac(Y2023, None, settings, baselines=False, retriever_params={"nonsense": 1})
    assert again["index"]["rebuilt"] is False
    assert again["n"] == 2
    assert set(again) >= {"system", "latency_ms"} and "bm25" not in again
    assert set(again["system"]) == {"unaccented"}

    # A changed law file (same directory name) triggers a rebuild.
    copy = tmp_path / "y2023"
    shutil.copytree(Y2023, copy)
    laws = json.loads((copy / "law.json").read_text(encoding="utf-8"))
    laws.append(
        {
            "id": "Luật Mới",
            "articles": [{"id": "1", "text": "Phạm vi\n\nLuật mới về nuôi cá cảnh."}],
        }
    )
    (copy / "law.json").write_text(json.dumps(laws, ensure_ascii=False), encoding="utf-8")
    changed = run_alqac(
        copy, copy / "train.json", settings, strip_diacritics=False, baselines=False
    )
    assert changed["index"]["rebuilt"] is True
    assert changed["index"]["articles"] == 8
    assert changed["system"]["accented"]["recall_at_10"] == 1.0


def test_run_alqac_2022_format_with_relative_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default data_dir is the relative "data": the index must survive its own commit.
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=Path("data"), _env_file=None)
    report = run_alqac(Y2022, None, settings, strip_diacritics=False)
    assert report["dataset"] == "y2022"
    assert report["n"] == 3
    _metrics_ok(report["system"]["accented"])
    assert report["system"]["accented"]["recall_at_10"] == 1.0
    assert "missing_references" not in report
    again = run_alqac(Y2022, None, settings, strip_diacritics=False, baselines=False, limit=1)
    assert again["index"]["rebuilt"] is False
    assert again["n"] == 1


def test_run_alqac_reports_missing_inputs(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    with pytest.raises(AlqacFormatError, match="law file not found"):
        run_alqac(tmp_path, None, settings)
    shutil.copy(Y2022 / "law.json", tmp_path / "law.json")
    with pytest.raises(AlqacFormatError, match="no question file"):
        run_alqac(tmp_path, None, settings)
