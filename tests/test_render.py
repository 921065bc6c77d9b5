"""Rendering of answers for chat channels and splitting of long replies."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.answer import Answer, Citation
from channels.render import (
    TELEGRAM_LIMIT,
    ZALO_BOT_LIMIT,
    citation_url,
    render_html,
    render_markdown,
    render_plain,
    split_message,
)

BASE = "https://nq57.example.vn"


def _citation(**kw) -> Citation:
    data = dict(
        doc="nq-57-2024.txt",
        doc_id="nq-57-2024",
        doc_number="57-NQ/TW",
        doc_title="Nghị quyết 57",
        locator="II.2",
        quote="tiềm lực khoa học <công nghệ> & đổi mới sáng tạo đạt mức tiên tiến",
        url="/documents/nq-57-2024#ii-2",
    )
    data.update(kw)
    return Citation(**data)


def _answer(text: str = "Mục tiêu là <đột phá> & phát triển [1].", **kw) -> Answer:
    return Answer(text=text, intent="answer", abstained=False, citations=[_citation()], **kw)


class _TagChecker(HTMLParser):
    """Fails on unbalanced tags; records text for reassembly checks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _check_html(part: str) -> str:
    checker = _TagChecker()
    checker.feed(part)
    checker.close()
    assert checker.stack == [], f"unclosed tags {checker.stack}"
    assert not re.search(r"&[#\w]*$", part), "entity cut at the end"
    assert not re.search(r"<[^>]*$", part), "tag cut at the end"
    assert not re.search(r"<(\w+)[^>]*>\s*</\1>", part), "empty element left by a cut"
    return "".join(checker.text)


def test_html_escapes_text_and_links_sources():
    out = render_html(_answer(), BASE)
    assert "&lt;đột phá&gt; &amp; phát triển" in out
    assert "<đột phá>" not in out
    assert '<a href="https://nq57.example.vn/documents/nq-57-2024#ii-2">' in out
    assert "<b>Nguồn:</b>" in out
    assert "<blockquote>tiềm lực khoa học &lt;công nghệ&gt; &amp; đổi mới" in out
    _check_html(out)


def test_html_without_public_base_url_keeps_source_name_without_link():
    out = render_html(_answer(), "")
    assert "<a " not in out
    assert "Nghị quyết 57 (57-NQ/TW), II.2" in out


def test_quote_already_in_answer_is_not_repeated():
    quote = "Đến năm 2030, tiềm lực đạt mức tiên tiến"
    answer = Answer(
        text=f"Theo Nghị quyết: «{quote}» [1]",
        intent="answer",
        abstained=False,
        citations=[_citation(quote=quote)],
    )
    assert render_html(answer, BASE).count(quote) == 1
    assert render_plain(answer, BASE).count(quote) == 1


def test_plain_has_no_markup_and_spells_out_urls():
    out = render_plain(_answer(suggestions=["Còn doanh nghiệp thì sao?"]), BASE)
    assert "<b>" not in out and "<a" not in out and "**" not in out
    assert "https://nq57.example.vn/documents/nq-57-2024#ii-2" in out
    assert "«tiềm lực khoa học <công nghệ> & đổi mới sáng tạo đạt mức tiên tiến»" in out
    assert "Nguồn:" in out
    assert "- Còn doanh nghiệp thì sao?" in out


def test_markdown_links_and_quotes():
    out = render_markdown(_answer(), BASE)
    assert (
        "[Nghị quyết 57 (57-NQ/TW), II.2](https://nq57.example.vn/documents/nq-57-2024#ii-2)" in out
    )
    assert "   > tiềm lực khoa học" in out


def test_citation_url_keeps_absolute_urls_and_joins_relative_ones():
    assert citation_url(_citation(url="https://x.vn/a"), BASE) == "https://x.vn/a"
    assert citation_url(_citation(), BASE + "/") == BASE + "/documents/nq-57-2024#ii-2"
    assert citation_url(_citation(), "") is None


def test_answer_without_citations_is_just_the_text():
    answer = Answer(text="Xin chào!", intent="smalltalk", abstained=True)
    assert render_html(answer) == "Xin chào!"
    assert render_plain(answer) == "Xin chào!"


def test_short_text_is_one_part_and_empty_is_none():
    assert split_message("  ngắn  ", 100) == ["ngắn"]
    assert split_message("   ", 100) == []
    with pytest.raises(ValueError):
        split_message("x", 0)


def test_split_prefers_paragraph_boundaries():
    paragraphs = [f"Đoạn {i}. " + "chữ " * 40 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_message(text, 500)
    assert len(parts) > 1
    assert all(len(p) <= 500 for p in parts)
    # Every part is made of whole paragraphs.
    whole = {p.strip() for p in paragraphs}
    for part in parts:
        assert all(piece in whole for piece in part.split("\n\n"))
    assert "\n\n".join(parts) == text


def test_split_falls_back_to_sentences_then_hard_cut():
    sentence = "Câu này nói về chuyển đổi số quốc gia. "
    text = (sentence * 30).strip()
    parts = split_message(text, 200)
    assert all(len(p) <= 200 for p in parts)
    assert all(p.endswith(".") for p in parts)
    word = "x" * 450
    parts = split_message(word, 200)
    assert [len(p) for p in parts] == [200, 200, 50]
    assert "".join(parts) == word


def test_split_counts_characters_not_bytes():
    text = "Điều " * 500  # 2,500 characters, far more bytes
    parts = split_message(text, ZALO_BOT_LIMIT)
    assert len(parts) == 2
    assert all(len(p) <= ZALO_BOT_LIMIT for p in parts)


def test_html_split_never_breaks_tags_or_entities_and_balances_them():
    long_quote = " ".join(["nội dung &amp; trích dẫn &lt;dài&gt;."] * 120)
    text = (
        "<b>Tiêu đề</b>\n\n"
        + f'<a href="https://x.vn/a?b=1&amp;c=2">liên kết</a> {long_quote}\n\n'
        + f"<blockquote>{long_quote}</blockquote>\n\n"
        + "<i>kết thúc</i>"
    )
    for limit in (97, 256, 1000, TELEGRAM_LIMIT):
        parts = split_message(text, limit, html=True)
        assert all(len(p) <= limit for p in parts), limit
        visible = [_check_html(p) for p in parts]
        # Nothing lost: the visible text is the same up to whitespace at the cuts.
        assert "".join(visible).replace(" ", "").replace("\n", "") == _check_html(text).replace(
            " ", ""
        ).replace("\n", "")


def test_html_split_of_rendered_answer_with_many_citations():
    citations = [_citation(locator=f"Điều {i}", quote=f"trích dẫn số {i} " * 20) for i in range(40)]
    answer = Answer(text="Trả lời [1].", intent="answer", abstained=False, citations=citations)
    parts = split_message(render_html(answer, BASE), TELEGRAM_LIMIT, html=True)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= TELEGRAM_LIMIT
        _check_html(part)
    joined = "".join(parts)
    assert joined.count("<a href=") == 40
