import subprocess
import sys

from ingest.sparse import SparseEncoder, term_index, terms


def _score(query, doc) -> float:
    qi = dict(zip(query.indices, query.values, strict=True))
    return sum(v * qi.get(i, 0.0) for i, v in zip(doc.indices, doc.values, strict=True))


def test_term_index_is_stable_and_in_range():
    assert term_index("khoa_học") == term_index("khoa_học")
    assert 0 <= term_index("~khoa_hoc") < 2**31
    assert term_index("khoa") != term_index("~khoa")


def test_terms_include_compounds_and_folded_forms():
    accented, folded = terms("Phát triển khoa học và công nghệ")
    assert "khoa" in accented and "khoa_học" in accented
    assert "~khoa_hoc" in folded and "~phat_trien" in folded


def test_unaccented_query_matches_accented_document():
    enc = SparseEncoder(avgdl=20)
    doc = enc.encode_document("Chi cho nghiên cứu phát triển đạt 2% GDP")
    other = enc.encode_document("Kinh tế số chiếm 30% GDP")
    q = enc.encode_query("nghien cuu phat trien", unaccented=True)
    assert _score(q, doc) > _score(q, other) >= 0
    assert _score(q, other) == 0


def test_restored_query_adds_accented_terms():
    enc = SparseEncoder(avgdl=20)
    doc = enc.encode_document("nghiên cứu phát triển")
    plain = enc.encode_query("nghien cuu", unaccented=True)
    restored = enc.encode_query("nghien cuu", unaccented=True, restored="nghiên cứu")
    assert _score(restored, doc) > _score(plain, doc) > 0


def test_bm25_saturates_term_frequency():
    enc = SparseEncoder(avgdl=10)
    once = enc.encode_document("thuế thuế")
    many = enc.encode_document(" ".join(["thuế"] * 20))
    i = term_index("thuế")
    v1 = dict(zip(once.indices, once.values, strict=True))[i]
    v2 = dict(zip(many.indices, many.values, strict=True))[i]
    assert v1 < v2 < enc.k1 + 1


def test_old_and_new_tone_placement_meet():
    # Stored texts keep the source's "hoá"; a question typed "hóa" must still match it.
    enc = SparseEncoder(avgdl=10)
    doc = enc.encode_document("công nghiệp hoá, hiện đại hoá")
    q = enc.encode_query("công nghiệp hóa hiện đại hóa", unaccented=False)
    assert terms("hiện đại hoá")[0] == terms("hiện đại hóa")[0]
    assert _score(q, doc) > 0


def test_segmenter_does_not_load_torch():
    # Loading torch through underthesea's optional pipelines cost ~300 MB of serving memory.
    code = (
        "import sys\n"
        "from ingest.sparse import terms\n"
        "assert 'khoa_học' in terms('phát triển khoa học')[0]\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
        "import torch\n"  # still importable afterwards, for a sentence-transformers embedder
        "print(torch.__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "torch"
