"""Sentences a user attributes to the texts are checked against them."""

import pytest

from bot.quotations import holds, quoted_sentences, quoted_terms, uses_term

PASSAGE = (
    "Người dân và doanh nghiệp là trung tâm, là chủ thể, là nguồn lực và động lực chính; "
    "nhà khoa học là nhân tố then chốt."
)


def test_only_quoted_sentences_count():
    assert quoted_sentences("khái niệm «tổng công trình sư» là gì?") == []  # a term
    assert quoted_sentences("NQ 57 có câu “Người dân và doanh nghiệp là trung tâm” không?") == [
        "Người dân và doanh nghiệp là trung tâm"
    ]
    assert (
        quoted_sentences("doanh nghiep 'tu ke khai chi phi R&D khong can chung tu' duoc khong")
        == []
    )  # single quotes round the user's own words, for emphasis
    assert quoted_sentences("NQ 20 có câu 'khoa học xã hội không còn cần thiết' không?") == [
        "khoa học xã hội không còn cần thiết"
    ]
    assert quoted_sentences("Trich dan ‘Nha nuoc bao dam kinh phi cho moi du an’ trong NQ 03") == [
        "Nha nuoc bao dam kinh phi cho moi du an"
    ]


@pytest.mark.parametrize(
    "quote",
    [
        "Người dân và doanh nghiệp là trung tâm, là chủ thể",
        "nguoi dan va doanh nghiep la trung tam, la chu the",  # without diacritics
        "Người dân và doanh nghiệp là trung tâm … nhà khoa học là nhân tố then chốt",  # cut
        "Người dân và các doanh nghiệp là trung tâm, là chủ thể, là nguồn lực",  # from memory
    ],
)
def test_a_sentence_of_the_passage_is_held(quote):
    assert holds(quote, ["Một đoạn khác hẳn về hạ tầng số.", PASSAGE])


def test_real_words_in_another_order_are_not_held():
    made_up = "Nhà khoa học là chủ thể, người dân là nguồn lực then chốt và động lực"
    assert not holds(made_up, [PASSAGE])


@pytest.mark.parametrize(
    "question",
    [
        "Thông báo 624 có câu «Thủ tướng yêu cầu kỷ luật ngay các bộ trưởng chậm nhiệm vụ». "
        "Giải thích câu này giúp tôi.",
        'Tôi nhớ NQ 57 có câu "mỗi người dân được Nhà nước tặng một máy tính", trích nguyên văn câu đó',
        "Giúp tôi trích dẫn câu 'mỗi người dân được Nhà nước tặng một máy tính' trong Nghị quyết 57",
    ],
)
def test_a_sentence_the_texts_do_not_hold_is_not_explained(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained and answer.meta["reason"] == "quote_not_in_texts", answer.meta
    assert not answer.citations
    assert "kỷ luật ngay" not in answer.text and "máy tính" not in answer.text


@pytest.mark.parametrize(
    ("question", "locator"),
    [
        (
            'Câu "Người dân và doanh nghiệp là trung tâm, là chủ thể" nằm ở đâu trong Nghị quyết 57?',
            "I.2",
        ),
        (
            'Nghi quyet 57 viet "Bo tri it nhat 15% ngan sach nha nuoc chi su nghiep khoa hoc" dung khong?',
            "III.3",
        ),
    ],
)
def test_a_sentence_the_texts_hold_is_answered(assistant, question, locator):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.meta
    assert answer.citations[0].locator.startswith(locator), answer.citations[0]


def test_quoted_terms_and_their_use():
    assert quoted_terms('Theo Thông tư 32, "die" là gì?') == ["die"]
    assert uses_term("die", ["gắn wafer, die (chip bán dẫn đơn lẻ)"])
    assert not uses_term("die", ["diesel và dien"])
    assert uses_term("Chính phủ số", ["phát triển chinh phu so"])
