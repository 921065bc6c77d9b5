"""The learned decisions: the shipped parameters match the bank and the policy they were
trained on, the gate decides both sides, and `nq57 gate train` rebuilds them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.answerability import (
    FEATURES,
    GATE_MODEL,
    AnswerabilityGate,
    Evidence,
    GateModel,
    detail_group,
)
from bot.network import Network
from bot.policy import POLICY_MODEL, POLICY_VECTORS, PolicyModel, load_policy, vector_key
from evals.train_gate import (
    GOLD_DEV,
    POLICY_KINDS,
    BankItem,
    bank_digest,
    bank_files,
    fold_group,
    gate_threshold,
    harm_threshold,
    load_bank,
    policy_label,
    policy_threshold,
    read_samples,
    train,
)
from retrieval.frame import asked_unit, carries_unit, frame_of, holds_answer, names_agency

ALQAC_TRAIN = Path(__file__).resolve().parents[2] / "shared/datasets/alqac2023/train.json"


def test_shipped_gate_matches_the_bank():
    data = json.loads(GATE_MODEL.read_text())
    assert data["features"] == list(FEATURES)
    assert data["meta"]["bank_digest"] == bank_digest([*bank_files(), GOLD_DEV]), (
        "corpus/questions changed: run `nq57 gate train`"
    )
    assert GateModel.load() is not None


def test_shipped_policy_model_matches_the_policy_and_the_bank():
    model = PolicyModel.load()
    assert model is not None
    assert model.meta["policy_digest"] == load_policy().digest(), (
        "bot/policy.yaml changed: run `nq57 gate train`"
    )
    assert model.meta["bank_digest"] == bank_digest([*bank_files(), GOLD_DEV])
    assert set(model.classes) == set(load_policy().names) | {"other_law"}


def test_shipped_exemplar_vectors_cover_every_exemplar():
    with np.load(POLICY_VECTORS) as data:
        keys = {str(k) for k in data["keys"]}
        assert data["vectors"].shape[0] == len(keys)
    assert {vector_key(e) for _, e in load_policy().exemplars()} <= keys


def test_the_bank_holds_both_sides_for_every_document():
    items = load_bank(bank_files())
    docs = {i.doc for i in items if i.doc}  # "": questions about no document of the corpus
    assert len(docs) >= 10
    for doc in docs:
        kinds = {i.kind for i in items if i.doc == doc}
        assert {"answerable", "near_miss"} <= kinds, doc


def _evidence(**values: float) -> Evidence:
    base = dict.fromkeys(FEATURES, 0.0)
    base.update(values)
    return Evidence(base)


def test_the_gate_decides_by_its_threshold():
    logit = np.array([[4.0 if f == "coverage_best" else 0.0] for f in FEATURES])
    net = Network(
        np.zeros(len(FEATURES)), np.ones(len(FEATURES)), [logit], [np.array([-2.0])], ["0", "1"]
    )
    model = GateModel(net, threshold=0.5)
    gate = AnswerabilityGate(model)
    assert gate.decide(_evidence(coverage_best=0.9)).answer
    assert not gate.decide(_evidence(coverage_best=0.1)).answer


def test_a_threshold_per_detail_group():
    logit = np.array([[4.0 if f == "coverage_best" else 0.0] for f in FEATURES])
    net = Network(
        np.zeros(len(FEATURES)), np.ones(len(FEATURES)), [logit], [np.array([-2.0])], ["0", "1"]
    )
    # p = sigmoid(4 * 0.6 - 2) ≈ 0.60: answered under the general threshold, not the specific one.
    gate = AnswerabilityGate(GateModel(net, 0.5, thresholds={"specific": 0.7}))
    assert gate.decide(_evidence(coverage_best=0.6), "general").answer
    assert not gate.decide(_evidence(coverage_best=0.6), "specific").answer
    assert detail_group(frame_of("Kinh phí chi cho R&D đạt bao nhiêu?")) == "specific"
    assert detail_group(frame_of("Nghị quyết 57 nói gì về dữ liệu?")) == "general"


def test_thresholds_are_set_out_of_fold():
    p = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.6])
    y = np.array([1, 1, 1, 0, 0, 0])
    t = gate_threshold(p, y, cap=0.0)
    assert 0.6 < t <= 0.7  # the highest that keeps every answerable item answered
    declines = np.array([0.95, 0.2, 0.1, 0.99])
    in_scope = np.array([False, True, True, False])
    assert policy_threshold(declines, in_scope) <= 0.95
    # The harmful categories decline on their own within their own small budget: here none of
    # the in-scope items may be lost, so the threshold sits above the in-scope ones' 0.45.
    p_harm = np.array([0.6, 0.45, 0.1, 0.2, 0.7])
    declined = np.array([False, False, False, True, False])
    scope = np.array([False, True, True, False, False])
    t = harm_threshold(p_harm, declined, scope, extra=0.0)
    assert 0.45 < t <= 0.6


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "answerable"),
    [
        ("Đến năm 2030 kinh phí chi cho nghiên cứu phát triển đạt bao nhiêu phần trăm GDP?", True),
        ("thông tư 33 có hiệu lực từ ngày nào", True),
        ("Công thức nấu phở bò gia truyền", False),
        ("Thời hiệu khởi kiện về thừa kế là bao nhiêu năm?", False),
    ],
)
def test_the_shipped_gate_on_both_sides(assistant, runtime, question, answerable):
    _, verdict = assistant.judge(runtime.retriever.run(question, k=8))
    assert verdict.answer is answerable, verdict


@pytest.mark.slow
@pytest.mark.skipif(not ALQAC_TRAIN.is_file(), reason="ALQAC data not beside the repository")
def test_gate_train_rebuilds_loadable_models(runtime, tmp_path):
    items = load_bank(bank_files())
    sample = [i for i in items if i.kind == "answerable"][::60] + [
        i for i in items if i.kind == "near_miss"
    ][::40]
    others = [
        BankItem(f"o{n}", "", "", q, "other_law")
        for n, q in enumerate(
            json.loads(ALQAC_TRAIN.read_text())[i]["text"] for i in range(0, 100, 5)
        )
    ]
    features = tmp_path / "samples.json"
    report = train(
        runtime.retriever, sample, others, "test-digest", tmp_path, samples_file=features
    )
    assert report.gate["samples"] > 20
    gate = GateModel.load(tmp_path / GATE_MODEL.name)
    policy = PolicyModel.load(tmp_path / POLICY_MODEL.name)
    assert gate is not None and policy is not None
    assert gate.meta["bank_digest"] == "test-digest"
    assert 0.0 < gate.threshold < 1.0
    assert policy.meta["policy_digest"] == load_policy().digest()
    # Both ways of setting thresholds are reported out of fold; the one kept is the better.
    assert {"oof_single", "oof_per_group"} <= set(gate.meta)
    # The features of every question are kept: a later run on the same bank reads them
    # instead of searching again; another bank does not.
    asked = [i.id for i in [*sample, *others]]
    rows = json.loads(features.read_text())["samples"]
    items = [BankItem(**row["item"]) for row in rows]  # the policy's exemplars come after
    assert [i.id for i in items[: len(asked)]] == asked
    kept = read_samples(features, "test-digest", items)
    assert kept is not None and [s.gate_x for s in kept] == [row["gate_x"] for row in rows]
    assert read_samples(features, "another-digest", items) is None
    assert read_samples(features, "test-digest", items[:-1]) is None


def test_questions_about_no_document_train_both_models():
    items = load_bank(bank_files())
    elsewhere = [i for i in items if not i.doc]
    # Other laws and topics, and the retired blind sets' questions of the other categories.
    assert {i.kind for i in elsewhere} == set(POLICY_KINDS)
    assert set(POLICY_KINDS) <= set(load_policy().names)
    assert len(elsewhere) >= 1000
    # Each is a question the policy must decline with its own category, spread over the folds
    # so that every fold learns from some; a near miss stays in scope.
    assert all(policy_label(i) == i.kind for i in elsewhere)
    assert len({fold_group(i) for i in elsewhere}) == 5
    near = next(i for i in items if i.kind == "near_miss")
    assert policy_label(near) == "in_scope" and fold_group(near) == near.doc


def test_the_unit_asked_must_follow_a_number():
    # "bao nhiêu năm" asks a number of years; "trong năm 2026" names a year.
    assert asked_unit("Starlink được cấp phép hoạt động trong bao nhiêu năm?") == "nam"
    assert not carries_unit("nam", "triển khai trong năm 2026 (phấn đấu đạt 500.000 thuê bao)")
    assert carries_unit("nam", "thời hạn 5 năm kể từ ngày ký")
    assert carries_unit("thue bao", "phấn đấu đạt 500.000 thuê bao")
    assert carries_unit("%", "đóng góp khoảng 35% tăng trưởng")
    assert asked_unit("Nghị quyết 57 đặt mục tiêu đến năm bao nhiêu?") == ""
    # "bao nhiêu nhiệm vụ …?" is answered by a share of those tasks; a share of years is no span.
    assert carries_unit("nhiem vu", "100% các nhiệm vụ khoa học và công nghệ được truyền thông")
    assert not carries_unit("nhiem vu", "các nhiệm vụ khoa học và công nghệ được truyền thông")
    assert not carries_unit("nam", "đạt 100% năm đầu")


@pytest.mark.parametrize(
    "question",
    [
        "Cho tôi danh sách 5 doanh nghiệp công nghệ số mà Nghị quyết 57 nhắm tới.",
        "Kết luận 69 kể tên những nhà khoa học nào được khen thưởng?",
        "nền tảng đó tên là j, địa chỉ web là gì v",
    ],
)
def test_a_question_for_names_needs_a_name_in_the_passage(question):
    frame = frame_of(question)
    assert frame.attribute == "name" and detail_group(frame) == "specific"
    assert not holds_answer(frame, "Tối thiểu có 5 doanh nghiệp công nghệ số ngang tầm.")
    assert not holds_answer(frame, "Kịp thời biểu dương, khen thưởng tập thể, cá nhân.")
    for named in ("nền tảng “Bình dân học vụ số”", "ứng dụng VNeID", "dichvucong.gov.vn"):
        assert holds_answer(frame, named)


def test_an_amount_no_passage_states_is_declined_whatever_the_score():
    logit = np.array([[4.0 if f == "coverage_best" else 0.0] for f in FEATURES])
    net = Network(
        np.zeros(len(FEATURES)), np.ones(len(FEATURES)), [logit], [np.array([-2.0])], ["0", "1"]
    )
    gate = AnswerabilityGate(GateModel(net, threshold=0.5))
    absent = _evidence(coverage_best=0.9, unit_missing=1.0)
    for question in ("Tổng kinh phí là bao nhiêu tỷ đồng?", "Quỹ được cấp bao nhiêu tiền?"):
        unit = frame_of(question).unit
        assert not gate.decide(absent, "specific", unit).answer, question
    # A count of people is often spelled out in words: the model decides.
    assert gate.decide(absent, "specific", frame_of("Cần bao nhiêu người?").unit).answer
    assert gate.decide(_evidence(coverage_best=0.9), "specific", "ty").answer


def test_an_amount_of_money_is_read_in_any_of_its_units():
    from retrieval.frame import carries_unit

    assert carries_unit("ty", "gói tín dụng 500 nghìn tỷ đồng")
    assert carries_unit("tien", "hỗ trợ 5 triệu đồng mỗi người")
    assert not carries_unit("tien", "kinh phí bảo đảm từ ngân sách nhà nước năm 2026")


def test_an_amount_asked_by_its_name_is_answered_by_money_or_a_share():
    from retrieval.frame import AMOUNT

    for question in (
        "Kinh phí cho Đề án 06 giai đoạn 2026–2030 là bao nhiêu?",
        "Dự án có tổng vốn đầu tư bao nhiêu?",
        "Nhà nước bố trí bao nhiêu ngân sách cho khoa học?",
    ):
        assert asked_unit(question) == AMOUNT, question
    # A unit named after "bao nhiêu" is the unit asked, whatever noun precedes it.
    assert asked_unit("Ngân sách cho khoa học chiếm bao nhiêu phần trăm?") == "%"
    assert asked_unit("Có bao nhiêu cơ sở dữ liệu quốc gia?") == ""
    assert carries_unit(AMOUNT, "bố trí ít nhất 3% tổng chi ngân sách hằng năm")
    assert carries_unit(AMOUNT, "Chương trình tín dụng 500 nghìn tỷ đồng")
    assert not carries_unit(AMOUNT, "Đăng ký mục tiêu, nhiệm vụ Đề án 06 giai đoạn 2026 - 2030")
    logit = np.array([[4.0 if f == "coverage_best" else 0.0] for f in FEATURES])
    net = Network(
        np.zeros(len(FEATURES)), np.ones(len(FEATURES)), [logit], [np.array([-2.0])], ["0", "1"]
    )
    gate = AnswerabilityGate(GateModel(net, threshold=0.5))
    assert not gate.decide(
        _evidence(coverage_best=0.9, unit_missing=1.0), "specific", AMOUNT
    ).answer


def test_a_table_row_states_its_figures_in_the_unit_of_its_column():
    row = "38 | Số doanh nghiệp công nghệ số ngang tầm | Doanh nghiệp | ≥ 10 | Bộ Thông tin"
    assert carries_unit("doanh nghiep", row)
    assert carries_unit("nguoi", "Nhân lực nghiên cứu | Người/vạn dân | 12")
    assert not carries_unit("thanh vien", "Ban gồm các thành viên | Bộ Công an | 3")
    # A year in a column's name is no span of years.
    assert not carries_unit("nam", "Chỉ tiêu | Năm 2030 | 5")


def test_a_count_the_texts_write_as_numerals_declines_when_no_passage_states_one():
    from bot.answerability import UNIT_BACKSTOP

    unit = asked_unit("Ban Chỉ đạo có tổng cộng bao nhiêu thành viên?")
    assert unit == "thanh vien" and unit in UNIT_BACKSTOP
    assert not carries_unit(unit, "Thủ tướng Chính phủ, Trưởng Ban Chỉ đạo, chủ trì cuộc họp")
    logit = np.array([[4.0 if f == "coverage_best" else 0.0] for f in FEATURES])
    net = Network(
        np.zeros(len(FEATURES)), np.ones(len(FEATURES)), [logit], [np.array([-2.0])], ["0", "1"]
    )
    gate = AnswerabilityGate(GateModel(net, threshold=0.5))
    assert not gate.decide(_evidence(coverage_best=0.9, unit_missing=1.0), "specific", unit).answer
    assert gate.decide(_evidence(coverage_best=0.9, unit_missing=0.0), "specific", unit).answer
    # Counts of people are left to the model: the texts give them per head and in words too.
    assert "nguoi" not in UNIT_BACKSTOP


def test_which_members_of_a_counted_set_needs_a_text_that_names_them():
    from retrieval.frame import counted_members, counts_without_naming

    assert counted_members("117 thôn chưa có điện nằm ở những tỉnh nào?") == [("117", "thon")]
    assert counted_members("kể tên 16 nghị định đó đi ad") == [("16", "nghi")]
    assert counted_members("Ba chương trình đào tạo đó có tên gọi cụ thể là gì?") == [
        ("3", "chuong")
    ]
    # Numbers of documents, provisions and years count nothing; "trung tâm" holds no "tám".
    assert counted_members("Nghị quyết 57 yêu cầu những lĩnh vực nào?") == []
    assert counted_members("Trung tâm dữ liệu đặt ở đâu, đến năm 2030 gồm những gì?") == []
    assert counted_members("Kỳ họp thứ 10 thông qua những luật nào?") == []
    assert counted_members("Có 21 ngân hàng đăng ký đúng không?") == []  # not asked which
    counted = "Đến nay, 21 ngân hàng thương mại đã có văn bản đăng ký tham gia Chương trình"
    assert counts_without_naming("21", "ngan", counted) is True
    listed = "Xây dựng Luật sửa đổi, bổ sung 07 Luật (Luật Đấu thầu; Luật Hải quan; Luật Đầu tư)"
    assert counts_without_naming("7", "luat", listed) is False
    named = "yêu cầu hai thành phố Hà Nội, Thành phố Hồ Chí Minh triển khai ngay"
    assert counts_without_naming("2", "thanh", named) is False
    assert (
        counts_without_naming("5", "linh", "tập trung vào 5 lĩnh vực gồm: y tế, giáo dục") is False
    )
    # In a table the cell ends the sentence: the next column is no list of its members.
    row = "Cung cấp điện cho 117 thôn chưa có điện | EVN: chủ trì, phối hợp | 30/11/2025"
    assert counts_without_naming("117", "thon", row) is True
    assert counts_without_naming("16", "nghi", counted) is None


def test_a_set_counted_but_not_named_is_declined_whatever_the_score():
    logit = np.array([[4.0 if f == "coverage_best" else 0.0] for f in FEATURES])
    net = Network(
        np.zeros(len(FEATURES)), np.ones(len(FEATURES)), [logit], [np.array([-2.0])], ["0", "1"]
    )
    gate = AnswerabilityGate(GateModel(net, threshold=0.5))
    unnamed = _evidence(coverage_best=0.9)
    unnamed.values["members_unlisted"] = 1.0
    verdict = gate.decide(unnamed, "general")
    assert not verdict.answer and "name none" in verdict.reason
    assert gate.decide(_evidence(coverage_best=0.9), "general").answer


def test_an_agency_is_named_as_written():
    assert names_agency("a) Bộ Văn hóa, Thể thao và Du lịch chủ trì thực hiện")
    assert names_agency("UBND cấp xã lựa chọn ít nhất 02 cán bộ")
    assert not names_agency("nhằm quảng bá thương hiệu quốc gia về đổi mới sáng tạo")
    assert not names_agency("bổ sung quy định về số hóa")
