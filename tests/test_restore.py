"""Diacritic restoration trained on the real corpus, checked against real accented text."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from nq57.text import fold, normalize
from retrieval.restore import DiacriticRestorer, sources_digest

DOCS = Path(__file__).resolve().parents[1] / "corpus" / "docs"

# Realistic citizen questions, written with their accents; the tests fold them and restore.
CITIZEN_QUESTIONS = [
    "Nghị quyết 57 chi cho khoa học bao nhiêu phần trăm ngân sách",
    "Mục tiêu đến năm 2030 của nghị quyết 57 là gì",
    "Doanh nghiệp khởi nghiệp sáng tạo được hỗ trợ những gì",
    "Chuyển đổi số quốc gia là gì",
    "Nghị quyết 57 có áp dụng cho doanh nghiệp tư nhân không",
    "Nhà khoa học được hưởng ưu đãi như thế nào",
    "Thông tư 33 quy định tiêu chí gì cho doanh nghiệp",
    "Điều kiện để được ưu đãi thuế thu nhập doanh nghiệp là gì",
    "Người dân được lợi gì từ chuyển đổi số",
    "Khi nào nghị quyết 57 có hiệu lực",
    "Tỷ lệ kinh tế số trong GDP đến năm 2030 là bao nhiêu",
    "Chính phủ số là gì",
    "Ai chịu trách nhiệm thực hiện nghị quyết",
    "Có bao nhiêu nhiệm vụ trong chương trình hành động của Chính phủ",
    "Tôi muốn biết về quỹ đầu tư mạo hiểm",
    "Nghị quyết 57 nói gì về trí tuệ nhân tạo",
    "Cơ chế thử nghiệm có kiểm soát là gì",
    "Hạ tầng số được phát triển như thế nào",
    "Doanh nghiệp nhỏ và vừa có được hỗ trợ đổi mới sáng tạo không",
    "Thủ tục hành chính trên môi trường số thực hiện ra sao",
    "Bộ Khoa học và Công nghệ có nhiệm vụ gì",
    "Kinh phí cho nghiên cứu khoa học lấy từ đâu",
    "Thiết bị bán dẫn nào được khuyến khích đầu tư",
    "Nhân lực chất lượng cao được thu hút bằng cách nào",
    "Tại sao phải đột phá phát triển khoa học công nghệ",
    "Dữ liệu số được quản lý ra sao",
    "Truyền thông về nghị quyết 57 do ai thực hiện",
    "Kết luận 69 nói về vấn đề gì",
    "An ninh mạng được bảo đảm như thế nào",
    "Sinh viên có được hỗ trợ học bổng không",
    "Cho tôi hỏi chỉ tiêu về đổi mới sáng tạo",
    "Bao giờ hoàn thành chính phủ số",
]


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.txt"))]


def _sentences(text: str) -> list[str]:
    out = []
    for line in normalize(text).split("\n"):
        for s in re.split(r"(?<=[.;!?])\s+", line):
            s = s.strip()
            if len(s.split()) >= 6:
                out.append(s)
    return out


def _accuracy(model: DiacriticRestorer, sentences: list[str]) -> tuple[float, float]:
    ok = total = exact = 0
    for s in sentences:
        pred = model.restore(fold(s))
        gold_words, pred_words = s.split(), pred.split()
        assert len(gold_words) == len(pred_words)
        ok += sum(g == p for g, p in zip(gold_words, pred_words, strict=True))
        total += len(gold_words)
        exact += pred == s
    return ok / total, exact / len(sentences)


@pytest.fixture(scope="module")
def model() -> DiacriticRestorer:
    return DiacriticRestorer.train(_texts())


def test_restores_real_sentence(model: DiacriticRestorer) -> None:
    gold = "nghị quyết số 57 của bộ chính trị về đột phá phát triển khoa học công nghệ"
    assert model.restore(fold(gold)) == gold


def test_restores_d_to_dj(model: DiacriticRestorer) -> None:
    gold = "đổi mới sáng tạo và chuyển đổi số quốc gia đến năm 2030"
    assert model.restore(fold(gold)) == gold


def test_held_out_sentences(tmp_path: Path) -> None:
    """Train without every 10th sentence, restore those sentences from their folded form."""
    train, test = [], []
    for text in _texts():
        sentences = _sentences(text)
        test.extend(sentences[9::10])
        train.append("\n".join(s for i, s in enumerate(sentences) if i % 10 != 9))
    held_out = DiacriticRestorer.train(train)
    syllable_acc, exact = _accuracy(held_out, test[::2])
    assert syllable_acc >= 0.97
    assert exact >= 0.6


def test_citizen_questions(model: DiacriticRestorer) -> None:
    gold = [normalize(q) for q in CITIZEN_QUESTIONS]
    syllable_acc, exact = _accuracy(model, gold)
    assert syllable_acc >= 0.97
    assert exact >= 0.8


def test_accented_words_untouched(model: DiacriticRestorer) -> None:
    # "cộng" is a real word the model would not pick here; typed accents are the user's choice.
    out = model.restore("khoa hoc cộng nghe")
    assert out.split()[2] == "cộng"
    assert out.split()[:2] == ["khoa", "học"]


def test_numbers_punctuation_and_case_kept(model: DiacriticRestorer) -> None:
    out = model.restore("Thong tu 33/2025/TT-BKHCN, DIEU 3 (khoan 2)!")
    assert out == "Thông tư 33/2025/TT-BKHCN, ĐIỀU 3 (khoản 2)!"


def test_unknown_words_kept(model: DiacriticRestorer) -> None:
    assert model.candidates("xyzq") == []
    assert model.restore("xyzq blockchainz startupz") == "xyzq blockchainz startupz"
    out = model.restore("ung dung xyzq trong doanh nghiep")
    assert out == "ứng dụng xyzq trong doanh nghiệp"


def test_empty_and_symbol_only(model: DiacriticRestorer) -> None:
    assert model.restore("") == ""
    assert model.restore("?!  …") == "?!  …"
    assert model.restore("2030") == "2030"


def test_candidates_come_from_corpus(model: DiacriticRestorer) -> None:
    cands = model.candidates("quyet")
    assert "quyết" in cands
    assert all(fold(c) == "quyet" for c in cands)


def test_question_lexicon_without_corpus() -> None:
    bare = DiacriticRestorer.train([])
    assert bare.restore("bao nhieu") == "bao nhiêu"
    assert bare.restore("nhu the nao") == "như thế nào"


def test_save_load_round_trip(model: DiacriticRestorer, tmp_path: Path) -> None:
    path = tmp_path / "models" / "restorer.json.gz"
    model.save(path)
    assert gzip.decompress(path.read_bytes()).startswith(b"{")
    loaded = DiacriticRestorer.load(path)
    assert loaded.vocab == model.vocab
    assert loaded.bigrams == model.bigrams
    assert loaded.trigrams == model.trigrams
    for q in CITIZEN_QUESTIONS[:10]:
        assert loaded.restore(fold(q)) == model.restore(fold(q))


def test_load_rejects_bad_files(tmp_path: Path) -> None:
    garbage = tmp_path / "bad.json.gz"
    garbage.write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="cannot read"):
        DiacriticRestorer.load(garbage)
    other = tmp_path / "other.json.gz"
    other.write_bytes(gzip.compress(b'{"format": "something-else"}'))
    with pytest.raises(ValueError, match="retrain"):
        DiacriticRestorer.load(other)
    with pytest.raises(ValueError, match="cannot read"):
        DiacriticRestorer.load(tmp_path / "missing.json.gz")


def test_the_question_bank_teaches_how_people_ask() -> None:
    """A legal text never says "bạn thì nên": learned from the corpus alone, "theo ban thi nen"
    comes back as legal words; with the bank's accented questions, as the citizen meant it."""
    from evals.restoration import restoration_accuracy
    from retrieval.questions import asked_texts

    bank = asked_texts(DOCS.parent / "questions")
    corpus_only = DiacriticRestorer.train(_texts())
    with_bank = DiacriticRestorer.train(_texts(), bank)
    asked = "Theo ban thi nen bau cho ung vien nao o ky bau cu"
    assert corpus_only.restore(asked).startswith("Theo bản thị nền")
    assert with_bank.restore(asked) == "Theo bạn thì nên bầu cho ứng viên nào ở kỳ bầu cử"
    # The held-out gold questions are in no bank file.
    gold = Path(__file__).resolve().parents[1] / "evals" / "gold" / "heldout.jsonl"
    questions = [json.loads(line)["question"] for line in gold.read_text("utf-8").splitlines()]
    before = restoration_accuracy(corpus_only, questions)["syllable_accuracy"]
    after = restoration_accuracy(with_bank, questions)["syllable_accuracy"]
    assert after > before + 0.03


def test_what_it_learned_from_is_kept(tmp_path: Path) -> None:
    model = DiacriticRestorer.train(["Nghị quyết về khoa học."], ["Khoa học là gì?"])
    assert model.sources == sources_digest(["Nghị quyết về khoa học."], ["Khoa học là gì?"])
    assert model.sources != sources_digest(["Nghị quyết về khoa học."], ["Khoa học ở đâu?"])
    model.save(tmp_path / "r.json.gz")
    assert DiacriticRestorer.load(tmp_path / "r.json.gz").sources == model.sources
