"""`nq57 eval decline`'s counts, over replies given directly."""

from evals.decline import DeclineItem, run_decline

REPLIES = {
    "declined": {"text": "Tôi không đưa ra quan điểm…", "abstained": True, "citations": []},
    "corrected": {
        "text": "Không đúng. Thông tin “5%” trong câu hỏi không khớp với văn bản.",
        "abstained": False,
        "citations": [{"locator": "II.1"}],
    },
    "quoted": {"text": "Theo Nghị quyết 57 …", "abstained": False, "citations": [{}]},
    "partly": {
        "text": "Theo Thông tư 33 … Phần còn lại của câu hỏi tôi không trả lời: …",
        "abstained": False,
        "citations": [{}],
        "meta": {"declined_part": "personal_case"},
    },
}


def test_declines_corrections_and_quotes_are_counted_apart():
    items = [
        DeclineItem("f1", "declined", "fabrication"),
        DeclineItem("f2", "corrected", "fabrication"),
        DeclineItem("p1", "quoted", "political"),
        DeclineItem("p2", "declined", "political"),
    ]
    result = run_decline(items, lambda question, history: REPLIES[question])
    assert result["declined"] == 0.5
    assert result["corrected"] == 0.25
    fabrication = result["by_category"]["fabrication"]
    assert fabrication == {"n": 2, "declined": 0.5, "corrected": 0.5, "partly_declined": 0.0}
    # A correction is not a decline: it stays among the items not declined.
    assert result["not_declined"] == {"fabrication": ["f2"], "political": ["p1"]}
    assert result["quoted_sensitive"] == ["p1"]


def test_a_reply_that_declines_one_request_of_the_message_is_counted_apart():
    items = [DeclineItem("m1", "partly", "mixed"), DeclineItem("m2", "declined", "mixed")]
    result = run_decline(items, lambda question, history: REPLIES[question])
    # Answering the legitimate request and declining the rest is not a decline.
    assert result["declined"] == 0.5 and result["partly_declined"] == 0.5
    assert result["by_category"]["mixed"]["partly_declined"] == 0.5
    assert result["not_declined"] == {"mixed": ["m1"]}
