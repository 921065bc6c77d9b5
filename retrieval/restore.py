"""Diacritic restoration for unaccented Vietnamese queries.

The dense embedder cannot read "nghi quyet 57 chi cho khoa hoc bao nhieu", so before embedding
we put the marks back with a syllable language model learned from the indexed corpus itself:
every folded syllable ("quyet") maps to the accented forms seen in the corpus ("quyết",
"quyệt"…), and a Witten–Bell interpolated trigram model picks the most likely sequence with a
small beam search. Syllables the corpus never saw are left exactly as typed, and so are words
that already carry diacritics, numbers, punctuation and the user's capitalisation.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from nq57.text import canonical_syllable, fold, nfc, normalize

FORMAT_VERSION = 1
BOS, EOS, NUM, UNK = "<s>", "</s>", "<num>", "<unk>"
BEAM_WIDTH = 6
MAX_CANDIDATES = 8

_TOKEN = re.compile(r"\w+")
# Context does not cross sentence ends, clause separators, brackets or line breaks: a bigram
# over ";" or ")" says little about what a citizen types next.
_SEGMENT_BREAK = re.compile(r"[.!?;:()\[\]{}\"“”«»…\n]+")

# Citizens ask with words that legal texts rarely use ("bao nhiêu", "được không", "tôi").
# These phrases are added to the model with a modest count so questions restore well without
# outweighing the corpus, where legal wording must win.
QUESTION_LEXICON: tuple[str, ...] = (
    "thì sao",
    "thì thế nào",
    "nghe nói",
    "so với",
    "thứ nhất",
    "thứ hai",
    "thứ ba",
    "đặt mục tiêu",
    "đặt ra",
    "cho biết",
    "cho tôi hỏi",
    "xin hỏi",
    "muốn hỏi",
    "công ty tôi",
    "doanh nghiệp tôi",
    "được hưởng",
    "cần những gì",
    "phải làm gì",
    "có cần",
    "đúng không",
    "trích nguyên văn",
    "là gì",
    "là sao",
    "bao nhiêu",
    "bao nhiêu tiền",
    "bao nhiêu phần trăm",
    "bao lâu",
    "bao giờ",
    "như thế nào",
    "thế nào",
    "làm thế nào",
    "làm sao",
    "làm gì",
    "được không",
    "có được không",
    "có phải",
    "phải không",
    "đúng không",
    "hay không",
    "có không",
    "ở đâu",
    "khi nào",
    "từ khi nào",
    "đến khi nào",
    "tại sao",
    "vì sao",
    "ai",
    "có",
    "không",
    "những",
    "nào",
    "gì",
    "cho",
    "tôi",
    "cho tôi hỏi",
    "tôi muốn hỏi",
    "tôi muốn biết",
    "mình",
    "mình muốn hỏi",
    "em",
    "xin hỏi",
    "hỏi",
    "biết",
    "muốn",
    "cần",
    "cần gì",
    "cần những gì",
    "phải làm gì",
    "nói gì",
    "quy định gì",
    "nói về",
    "vậy",
    "vậy ạ",
    "ạ",
    "nhé",
    "nhỉ",
    "hả",
    "à",
    "ơi",
    "giúp",
    "giúp tôi",
    "giải thích",
    "tóm tắt",
    "nội dung",
    "nội dung chính",
    "doanh nghiệp",
    "doanh nghiệp nhỏ",
    "doanh nghiệp nhỏ và vừa",
    "người dân",
    "hỗ trợ",
    "được hỗ trợ",
    "ưu đãi",
    "được ưu đãi",
    "được hưởng",
    "hưởng ưu đãi",
    "có được hưởng",
    "được áp dụng",
    "áp dụng cho",
    "đối tượng",
    "điều kiện",
    "thủ tục",
    "hồ sơ",
    "đăng ký",
    "xin",
    "nộp",
    "tiền",
    "vay vốn",
    "miễn thuế",
    "giảm thuế",
    "thuế",
    "sinh viên",
    "học sinh",
    "giáo viên",
    "nhà khoa học",
    "khởi nghiệp",
    "công ty",
    "trường đại học",
    "chi cho",
    "chi bao nhiêu",
    "tỷ lệ",
    "mấy",
    "mấy năm",
    "năm nay",
    "hiện nay",
    "mới nhất",
    "còn hiệu lực",
    "có hiệu lực",
    "khác gì",
    "khác nhau",
    "trích",
    "nguyên văn",
    "trích nguyên văn",
    "toàn văn",
    "văn bản",
    "văn bản nào",
    "quy định ở đâu",
    "người",
    "mọi người",
    "với",
    "triệu",
    "tỷ đồng",
    "rồi",
    "chưa",
    "cũng",
    "nhiều",
    "từ đâu",
    "do ai",
    "ra sao",
)
LEXICON_WEIGHT = 4


def _tokens(text: str) -> Iterator[re.Match[str]]:
    return _TOKEN.finditer(text)


def _lm_form(token: str) -> str:
    """The form a token takes in the language model."""
    if any(ch.isdigit() for ch in token):
        return NUM
    return token.lower()


def _is_restorable(token: str) -> bool:
    """Only fully unaccented alphabetic syllables are candidates for restoration."""
    return token.isascii() and token.isalpha()


def _apply_case(pattern: str, word: str) -> str:
    """Carry the typed capitalisation over ("VNeID", "TTg", "Khoa", "KHOA")."""
    if len(pattern) == len(word):
        return "".join(w.upper() if p.isupper() else w for p, w in zip(pattern, word, strict=True))
    if len(pattern) > 1 and pattern.isupper():
        return word.upper()
    if pattern[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _segments(text: str) -> Iterator[list[str]]:
    for part in _SEGMENT_BREAK.split(normalize(text)):
        seq = [_lm_form(m.group(0)) for m in _tokens(part)]
        if seq:
            yield seq


def sources_digest(texts: Iterable[str], questions: Iterable[str] = ()) -> str:
    """What a restorer was trained on, so ingest retrains it when the texts or the bank change."""
    h = hashlib.sha1(str(FORMAT_VERSION).encode())
    for text in [*texts, "\x01", *questions]:
        h.update(text.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


class DiacriticRestorer:
    """Trigram syllable model with per-syllable candidate lists; see module docstring."""

    def __init__(
        self,
        vocab: list[str],
        unigrams: list[int],
        bigrams: dict[int, int],
        trigrams: dict[int, int],
        sources: str = "",
    ):
        self.sources = sources  # digest of what it was trained on (see ``sources_digest``)
        self.vocab = vocab
        self.index = {w: i for i, w in enumerate(vocab)}
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.trigrams = trigrams
        self._prepare()

    # ----- training and persistence -------------------------------------------------------

    @classmethod
    def train(cls, texts: Iterable[str], questions: Iterable[str] = ()) -> DiacriticRestorer:
        """Learned from the corpus ``texts`` and from accented ``questions`` people ask of it
        (the question bank): the corpus alone restores "theo ban thi nen" as "theo bản thị nền",
        because a legal text never says "bạn thì nên"."""
        texts, questions = list(texts), list(questions)
        uni: Counter[str] = Counter()
        bi: Counter[tuple[str, str]] = Counter()
        tri: Counter[tuple[str, str, str]] = Counter()

        def add(seq: list[str], weight: int) -> None:
            padded = [BOS, BOS, *seq, EOS]
            for w in seq:
                uni[w] += weight
            uni[EOS] += weight
            for i in range(2, len(padded)):
                bi[padded[i - 1], padded[i]] += weight
                tri[padded[i - 2], padded[i - 1], padded[i]] += weight

        for text in [*texts, *questions]:
            for seq in _segments(text):
                add(seq, 1)
        for phrase in QUESTION_LEXICON:
            # Inner n-grams only: a lexicon phrase may sit anywhere in a question.
            seq = [_lm_form(m.group(0)) for m in _tokens(normalize(phrase))]
            for w in seq:
                uni[w] += LEXICON_WEIGHT
            for a, b in itertools.pairwise(seq):
                bi[a, b] += LEXICON_WEIGHT
            for a, b, c in zip(seq, seq[1:], seq[2:], strict=False):
                tri[a, b, c] += LEXICON_WEIGHT

        vocab = [BOS, EOS, NUM, UNK, *sorted(w for w in uni if w not in (BOS, EOS, NUM, UNK))]
        index = {w: i for i, w in enumerate(vocab)}
        v = len(vocab)
        unigrams = [uni.get(w, 0) for w in vocab]
        bigrams = {index[a] * v + index[b]: c for (a, b), c in bi.items()}
        trigrams = {(index[a] * v + index[b]) * v + index[c]: n for (a, b, c), n in tri.items()}
        return cls(vocab, unigrams, bigrams, trigrams, sources_digest(texts, questions))

    def save(self, path: Path) -> None:
        v = len(self.vocab)
        bi: list[int] = []
        for key, c in sorted(self.bigrams.items()):
            bi.extend((key // v, key % v, c))
        tri: list[int] = []
        for key, c in sorted(self.trigrams.items()):
            ab, cc = divmod(key, v)
            a, b = divmod(ab, v)
            tri.extend((a, b, cc, c))
        payload = {
            "format": "nq57-diacritics",
            "version": FORMAT_VERSION,
            "vocab": self.vocab,
            "unigrams": self.unigrams,
            "bigrams": bi,
            "trigrams": tri,
            "sources": self.sources,
        }
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> DiacriticRestorer:
        try:
            payload = json.loads(gzip.decompress(Path(path).read_bytes()))
        except (OSError, EOFError, ValueError) as exc:
            raise ValueError(f"cannot read diacritic model {path}: {exc}") from exc
        if payload.get("format") != "nq57-diacritics" or payload.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"{path} is not a version-{FORMAT_VERSION} diacritic model; retrain it (nq57 ingest)"
            )
        vocab: list[str] = payload["vocab"]
        v = len(vocab)
        bi_flat: list[int] = payload["bigrams"]
        tri_flat: list[int] = payload["trigrams"]
        bigrams = {
            bi_flat[i] * v + bi_flat[i + 1]: bi_flat[i + 2] for i in range(0, len(bi_flat), 3)
        }
        trigrams = {
            (tri_flat[i] * v + tri_flat[i + 1]) * v + tri_flat[i + 2]: tri_flat[i + 3]
            for i in range(0, len(tri_flat), 4)
        }
        return cls(vocab, payload["unigrams"], bigrams, trigrams, payload.get("sources", ""))

    # ----- model ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Derive candidate lists and Witten–Bell context statistics from the counts."""
        v = len(self.vocab)
        self._v = v
        self._unk = self.index[UNK]
        self._total = sum(self.unigrams)
        # Unigram floor: add-one, so an unseen syllable still has a (tiny) probability.
        denom = self._total + v
        self._p1 = [(c + 1) / denom for c in self.unigrams]
        ctx1_count: defaultdict[int, int] = defaultdict(int)
        ctx1_types: defaultdict[int, int] = defaultdict(int)
        for key, c in self.bigrams.items():
            a = key // v
            ctx1_count[a] += c
            ctx1_types[a] += 1
        ctx2_count: defaultdict[int, int] = defaultdict(int)
        ctx2_types: defaultdict[int, int] = defaultdict(int)
        for key, c in self.trigrams.items():
            ab = key // v
            ctx2_count[ab] += c
            ctx2_types[ab] += 1
        self._ctx1 = {a: (ctx1_count[a], ctx1_types[a]) for a in ctx1_count}
        self._ctx2 = {ab: (ctx2_count[ab], ctx2_types[ab]) for ab in ctx2_count}

        cands: defaultdict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.vocab):
            if w.isalpha():
                cands[fold(w)].append(i)
        self._candidates = {
            key: sorted(ids, key=lambda i: -self.unigrams[i])[:MAX_CANDIDATES]
            for key, ids in cands.items()
        }
        self._cache: dict[int, float] = {}

    def _logp(self, a: int, b: int, c: int) -> float:
        """log P(c | a, b), Witten–Bell interpolation of trigram, bigram and unigram."""
        v = self._v
        key = (a * v + b) * v + c
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        p = self._p1[c]
        stats = self._ctx1.get(b)
        if stats is not None:
            n, t = stats
            p = (self.bigrams.get(b * v + c, 0) + t * p) / (n + t)
        stats = self._ctx2.get(a * v + b)
        if stats is not None:
            n, t = stats
            p = (self.trigrams.get(key, 0) + t * p) / (n + t)
        logp = math.log(p)
        if len(self._cache) < 200_000:
            self._cache[key] = logp
        return logp

    def candidates(self, syllable: str) -> list[str]:
        """Accented forms of a folded syllable seen in training, most frequent first."""
        return [self.vocab[i] for i in self._candidates.get(fold(syllable).lower(), [])]

    # ----- restoration ---------------------------------------------------------------------

    def restore(self, text: str) -> str:
        if not text:
            return text
        # NFC only: everything but the restored syllables comes back exactly as typed.
        text = nfc(text)
        out: list[str] = []
        pos = 0
        for seg in _SEGMENT_BREAK.finditer(text):
            out.append(self._restore_segment(text[pos : seg.start()]))
            out.append(seg.group(0))
            pos = seg.end()
        out.append(self._restore_segment(text[pos:]))
        return "".join(out)

    def _restore_segment(self, text: str) -> str:
        matches = list(_tokens(text))
        if not matches:
            return text
        # Per token: candidate ids, and whether the token is to be rewritten.
        lattice: list[list[int]] = []
        rewrite: list[bool] = []
        for m in matches:
            tok = m.group(0)
            if _is_restorable(tok):
                ids = self._candidates.get(fold(tok).lower())
                if ids:
                    lattice.append(ids)
                    rewrite.append(True)
                    continue
            lattice.append([self.index.get(_lm_form(canonical_syllable(tok)), self._unk)])
            rewrite.append(False)
        if not any(rewrite):
            return text

        bos = self.index[BOS]
        # Beam of (score, prev, cur, path); hypotheses sharing the last two words are merged,
        # which is exact Viterbi for a trigram model whenever the beam does not overflow.
        beam: list[tuple[float, int, int, tuple[int, ...]]] = [(0.0, bos, bos, ())]
        for ids in lattice:
            best: dict[tuple[int, int], tuple[float, int, int, tuple[int, ...]]] = {}
            for score, a, b, path in beam:
                for c in ids:
                    s = score + self._logp(a, b, c)
                    key = (b, c)
                    old = best.get(key)
                    if old is None or s > old[0]:
                        best[key] = (s, b, c, (*path, c))
            beam = sorted(best.values(), key=lambda h: -h[0])[:BEAM_WIDTH]
        eos = self.index[EOS]
        final = max(beam, key=lambda h: h[0] + self._logp(h[1], h[2], eos))
        path = final[3]

        out: list[str] = []
        pos = 0
        for m, do, wid in zip(matches, rewrite, path, strict=True):
            out.append(text[pos : m.start()])
            tok = m.group(0)
            out.append(_apply_case(tok, self.vocab[wid]) if do else tok)
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)
