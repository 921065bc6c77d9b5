import pytest

from nq57.text import (
    anchor,
    canonical_syllable,
    fold,
    has_diacritics,
    is_syllable,
    match_key,
    normalize,
)


def test_tone_placement_is_canonical_both_ways():
    # Old and new placements meet in one form, so queries and texts match.
    assert normalize("hoà bình") == normalize("hòa bình") == "hòa bình"
    assert normalize("thuỷ sản") == normalize("thủy sản") == "thủy sản"
    assert normalize("Công nghiệp hoá") == "Công nghiệp hóa"
    assert normalize("khoẻ") == "khỏe"


def test_tone_placement_keeps_words_with_coda_and_shaped_vowels():
    for word in ("quyết", "nghĩa", "người", "điều", "giữa", "ngoài", "khuỷu", "thuở", "quả", "gì"):
        assert canonical_syllable(word) == word


def test_normalize_composes_decomposed_input():
    decomposed = "Nghi\u0323 quyê\u0301t"
    assert normalize(decomposed) == "Nghị quyết"


def test_fold_removes_every_diacritic_and_d_bar():
    assert fold("Đột phá phát triển khoa học") == "Dot pha phat trien khoa hoc"
    assert not has_diacritics("nghi quyet 57")
    assert has_diacritics("nghị quyết")


def test_match_key_and_anchor():
    assert match_key("  Đến  năm\n2030 ") == "đến năm 2030"
    assert anchor("Điều 3 khoản 2 điểm b") == "dieu-3-khoan-2-diem-b"
    assert anchor("III.2.b") == "iii-2-b"
    assert anchor("Phụ lục II, nhiệm vụ 44") == "phu-luc-ii-nhiem-vu-44"


def test_fold_fast_path_equals_decomposition():
    import unicodedata

    from nq57.text import _slow_fold

    # Every character of the Latin, Greek and Vietnamese ranges, composed and decomposed.
    sample = "".join(chr(cp) for cp in range(0x20, 0x3000))
    assert fold(sample) == _slow_fold(sample)
    assert fold(unicodedata.normalize("NFD", sample)) == _slow_fold(sample)
    assert fold("Đổi mới sáng tạo") == "Doi moi sang tao"


@pytest.mark.parametrize("word", ["luật", "nghieng", "quyet", "khuyen", "ruou", "Điều", "ai"])
def test_words_spelled_like_a_syllable(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["nqst", "ttee", "sg", "aa", "hack", "kl"])
def test_codes_and_foreign_words_are_no_syllable(word):
    assert not is_syllable(word)
