"""`nq57 gate train`: fit the answerability gate and the policy model from the question bank.

Data:
- ``corpus/questions/*.jsonl``: for passages of every document, questions they answer (positives when
  the search puts a passage holding the quote in the top 3) and near misses on the same topic
  whose asked detail no text gives (negatives);
- ALQAC questions about other laws (read from ``../shared/datasets``, never committed):
  negatives for the gate, ``other_law`` for the policy;
- the exemplars of ``bot/policy.yaml`` (each matched against the others only).
Thresholds come from out-of-fold predictions (folds by document, so a threshold is never set on
questions about a document the fold was trained on): the gate's for the precision of answering,
the policy's so that in-scope questions are almost never declined.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answerability import FEATURES, GATE_MODEL, GateModel, detail_group, evidence_of
from bot.network import Network
from bot.normalize import deobfuscate
from bot.policy import (
    HARMFUL,
    IN_SCOPE,
    POLICY_MODEL,
    POLICY_VECTORS,
    ExemplarIndex,
    PolicyModel,
    exemplar_text,
    feature_names,
    load_policy,
    policy_features,
    save_vectors,
)
from bot.safety import sanitize
from evals.metrics import text_covers
from retrieval.questions import group_key

BANK_DIR = Path(__file__).parents[1] / "corpus" / "questions"
# Answerable bank questions declined, out of fold: far below the 5% budget, because people
# paraphrase more than the bank's writers do (the gold set's paraphrases are declined several
# times as often as the bank's questions at the same threshold). On the development sets v4, v8
# and v11, 3% (with the policy at 2.5%) against 1.5% and 1.5% declined 2 to 3 points more of
# what they must decline for 0.4 to 1.3 points more false abstention.
GATE_MAX_FALSE_ABSTENTION = 0.03
GOLD_DEV = Path(__file__).with_name("gold") / "dev.jsonl"
POLICY_MAX_FALSE_DECLINE = 0.025  # in-scope questions declined, out of fold
# More in-scope questions the harmful categories may decline on their own, out of fold.
POLICY_HARM_EXTRA = 0.01
# Hidden units and L2 penalty of each model: out of fold on the bank, one hidden layer declined
# more of what must be declined than a logistic regression at the same false-abstention budget
# (the policy, with 768-odd inputs, needs the stronger penalty).
GATE_HIDDEN, GATE_ALPHA = 32, 1e-2
POLICY_HIDDEN, POLICY_ALPHA = 128, 1.0
MLP_EPOCHS = 300  # a fixed budget: a longer fit only grows more confident on the bank
FOLDS = 5
GATE_NEGATIVE_CATEGORIES = frozenset({"other_law", "out_of_domain"})
# Bank kinds of questions about no document of the corpus; each is also a policy category.
ELSEWHERE = ("other_law", "out_of_domain")
# Bank kinds that are policy categories: other laws and topics, and the must-decline questions
# of retired blind sets (``scripts/retire_blind.py``). Only the first two teach the gate: the
# others are declined for what they ask, not because the texts lack an answer.
POLICY_KINDS = (
    *ELSEWHERE,
    "political",
    "allegation",
    "illegal",
    "hate",
    "personal_data",
    "personal_case",
    "assistant",
    "smalltalk",
    "injection",
    "fabrication",
)


@dataclass(frozen=True)
class BankItem:
    id: str
    doc: str
    quote: str
    question: str
    kind: str  # answerable | near_miss | gold_decline | one of POLICY_KINDS
    # The bank file and passage (``retrieval.questions.group_key``): left out of the question
    # index while this item is read, so that no question finds itself or its writer's twins.
    group: str = ""


def bank_files(bank_dir: Path = BANK_DIR) -> list[Path]:
    return sorted(bank_dir.glob("*.jsonl"))


def bank_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def load_bank(paths: Iterable[Path]) -> list[BankItem]:
    items = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            quote = d.get("quote", "")
            items.append(
                BankItem(
                    d["id"],
                    d["doc"],
                    quote,
                    d["question"],
                    d["kind"],
                    group_key(path.name, d["doc"], quote),
                )
            )
    return items


def load_gold_items(path: Path = GOLD_DEV) -> list[BankItem]:
    """The development gold set's questions: answerable ones with their first quote; the others
    (smalltalk, injections, other topics) as questions to decline."""
    from evals.gold_io import load_gold

    return [
        BankItem(
            f"gold-{g.id}",
            g.expected_sources[0].doc if g.expected_sources else "gold",
            g.expected_sources[0].quote if g.expected_sources else "",
            g.question,
            "answerable" if g.answerable else "gold_decline",
        )
        for g in load_gold(path)
        if not g.history  # a follow-up needs its conversation
    ]


def load_alqac_questions(path: Path) -> list[BankItem]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        BankItem(str(q.get("question_id") or q.get("id")), "", "", q["text"], "other_law")
        for q in data
    ]


@dataclass
class Sample:
    item: BankItem
    gate_x: list[float]
    policy_x: list[float]
    label: int | None  # gate: 1 answer is right, 0 must decline, None: retrieval missed it
    group: str = "general"  # the question's threshold group (``detail_group``)


@dataclass
class Extractor:
    """Features of one question, exactly as the assistant computes them."""

    retriever: Any
    names: list[str]
    index: ExemplarIndex

    def __call__(self, item: BankItem) -> Sample:
        text = deobfuscate(sanitize(item.question))
        with self.retriever.questions.without({item.group} if item.group else ()):
            result = self.retriever.run(text, k=8)
        aq, hits = result.query, result.hits
        frame, ev = evidence_of(self.retriever.stats, result)
        vec = self.retriever.query_vector(aq.restored)
        policy_x = policy_features(self.index, self.names, vec, result.dense_top)
        label: int | None = None if item.kind in POLICY_KINDS and item.kind not in ELSEWHERE else 0
        if item.kind == "answerable":
            found = any(
                h.doc == item.doc and text_covers(" ".join([h.text]), item.quote) for h in hits[:3]
            )
            label = 1 if found else None
        return Sample(item, ev.vector(), policy_x, label, detail_group(frame))


def _fit(x: np.ndarray, y: np.ndarray, hidden: int, alpha: float) -> Network:
    """One hidden layer of ``hidden`` ReLU units (none: logistic regression) on standardised
    input, with a fixed seed: the same features give the same model."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    z = (x - mean) / scale
    if not hidden:
        model: Any = LogisticRegression(C=1 / alpha, class_weight="balanced", max_iter=5000)
        return Network.from_sklearn(model.fit(z, y), mean, scale)
    model = MLPClassifier((hidden,), alpha=alpha, max_iter=MLP_EPOCHS, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(z, y)
    return Network.from_sklearn(model, mean, scale)


def _folds(groups: Sequence[str], n: int = FOLDS) -> list[np.ndarray]:
    """Fold index of each sample: whole groups (documents) go to one fold."""
    names = sorted(set(groups))
    fold_of = {g: i % n for i, g in enumerate(names)}
    return [np.asarray([fold_of[g] == f for g in groups]) for f in range(n)]


def gate_threshold(p: np.ndarray, y: np.ndarray, cap: float = GATE_MAX_FALSE_ABSTENTION) -> float:
    """The highest threshold that declines at most ``cap`` of the answerable questions: the
    most precise gate within the false-abstention budget."""
    best = 0.005
    # Exact grid values: a threshold rounded after the check may not be the one checked.
    for t in (k / 200 for k in range(1, 192)):
        if (p[y == 1] < t).mean() <= cap:
            best = t
    return best


def harm_threshold(
    p_harm: np.ndarray, declined: np.ndarray, in_scope: np.ndarray, extra: float = POLICY_HARM_EXTRA
) -> float:
    """The lowest threshold on the probability of harm (the harmful categories together) that
    declines at most ``extra`` more of the in-scope items than ``declined`` already does."""
    budget = declined[in_scope].mean() + extra
    for t in (k / 100 for k in range(30, 100)):
        if (declined | (p_harm >= t))[in_scope].mean() <= budget:
            return t
    return 1.0


def policy_threshold(p_decline: np.ndarray, in_scope: np.ndarray) -> float:
    """The lowest threshold that declines at most POLICY_MAX_FALSE_DECLINE of in-scope items."""
    for t in (k / 1000 for k in range(300, 1000)):
        if (p_decline[in_scope] >= t).mean() <= POLICY_MAX_FALSE_DECLINE:
            return t
    return 0.999


def write_samples(path: Path, digest: str, samples: Sequence[Sample]) -> None:
    rows = [
        {
            "item": asdict(s.item),
            "gate_x": s.gate_x,
            "policy_x": s.policy_x,
            "label": s.label,
            "group": s.group,
        }
        for s in samples
    ]
    path.write_text(json.dumps({"bank_digest": digest, "samples": rows}), encoding="utf-8")


def read_samples(path: Path, digest: str, items: Sequence[BankItem]) -> list[Sample] | None:
    """The samples of an earlier run, or None when there are none for this bank."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = data.get("samples") or []
    if data.get("bank_digest") != digest or [r["item"]["id"] for r in rows] != [
        i.id for i in items
    ]:
        return None
    return [
        Sample(BankItem(**r["item"]), r["gate_x"], r["policy_x"], r["label"], r["group"])
        for r in rows
    ]


@dataclass
class TrainReport:
    gate: dict = field(default_factory=dict)
    policy: dict = field(default_factory=dict)


def train(
    retriever: Any,
    bank: Sequence[BankItem],
    alqac: Sequence[BankItem],
    digest: str,
    out_dir: Path = GATE_MODEL.parent,
    progress: Callable[[int, int], None] | None = None,
    samples_file: Path | None = None,
) -> TrainReport:
    """Fit both models. ``samples_file``: the features of every question, written by a first
    run and read by later ones on the same bank and code (to try thresholds and model sizes
    without searching ten thousand questions again)."""
    policy = load_policy()
    names = policy.names
    unknown = sorted(set(POLICY_KINDS) - set(names))
    if unknown:
        raise ValueError(f"bank kinds with no policy category: {', '.join(unknown)}")
    exemplars = policy.exemplars()
    texts = [exemplar_text(retriever, e) for _, e in exemplars]
    vectors = np.asarray([retriever.query_vector(t) for t in texts], dtype=np.float32)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    index = ExemplarIndex([c for c, _ in exemplars], unit)
    extract = Extractor(retriever, names, index)

    # The policy's exemplars of other laws and other topics are questions the texts do not
    # answer: the gate learns from them too.
    elsewhere = [
        BankItem(f"exemplar-{i}", "", "", text, "other_law")
        for i, (category, text) in enumerate(exemplars)
        if category in GATE_NEGATIVE_CATEGORIES
    ]
    items = list(bank) + list(alqac) + elsewhere
    samples = read_samples(samples_file, digest, items) if samples_file else None
    if samples is None:
        samples = []
        for i, item in enumerate(items):
            samples.append(extract(item))
            if progress:
                progress(i + 1, len(items))
        if samples_file:
            write_samples(samples_file, digest, samples)

    report = TrainReport()
    gate = _train_gate([s for s in samples if s.label is not None], digest)
    report.gate = gate.meta
    (out_dir / GATE_MODEL.name).write_text(json.dumps(gate.to_json(), indent=1) + "\n")

    # How close the corpus comes to each exemplar, as for a message (the nearest chunk).
    exemplar_dense = [retriever.closeness(v) for v in vectors]
    pol = _train_policy(samples, index, exemplar_dense, names, policy.digest(), digest)
    pol.meta["embedder"] = retriever.embedder.model_id
    report.policy = pol.meta
    (out_dir / POLICY_MODEL.name).write_text(json.dumps(pol.to_json(), indent=1) + "\n")
    save_vectors(
        out_dir / POLICY_VECTORS.name,
        retriever.embedder.model_id,
        [e for _, e in exemplars],
        vectors,
    )
    return report


def _train_gate(samples: Sequence[Sample], digest: str) -> GateModel:
    x = np.asarray([s.gate_x for s in samples], dtype=float)
    y = np.asarray([s.label for s in samples], dtype=int)
    groups = [fold_group(s.item) for s in samples]
    oof = np.zeros(len(y))
    for test in _folds(groups):
        net = _fit(x[~test], y[~test], GATE_HIDDEN, GATE_ALPHA)
        oof[test] = net.probabilities(x[test])[:, net.classes.index("1")]
    threshold = gate_threshold(oof, y)
    # A threshold per detail group, each within the same budget on its own answerable questions
    # (so within it overall too): kept only when it declines more out of fold than one threshold.
    detail = np.asarray([s.group for s in samples])
    per_group = {
        g: gate_threshold(oof[detail == g], y[detail == g]) for g in sorted(set(detail.tolist()))
    }
    cut = np.asarray([per_group[g] for g in detail])
    single, split = oof >= threshold, oof >= cut
    net = _fit(x, y, GATE_HIDDEN, GATE_ALPHA)
    chosen = split if (~split[y == 0]).mean() > (~single[y == 0]).mean() else single
    kinds = np.asarray([s.item.kind for s in samples])
    meta = {
        "bank_digest": digest,
        "samples": len(y),
        "positives": int(y.sum()),
        "oof_single": _gate_summary(single, y, kinds, detail),
        "oof_per_group": _gate_summary(split, y, kinds, detail),
        **_gate_summary(chosen, y, kinds, detail),
    }
    thresholds = per_group if chosen is split else {}
    return GateModel(net, threshold, list(FEATURES), meta, thresholds)


def _gate_summary(
    answered: np.ndarray, y: np.ndarray, kinds: np.ndarray, detail: np.ndarray
) -> dict[str, Any]:
    """Out-of-fold figures of one way of answering: its precision, what it declines of each
    bank kind, and of each detail group's questions to decline."""
    return {
        "oof_answer_precision": round(float((y[answered] == 1).mean()), 4)
        if answered.any()
        else 0.0,
        "oof_false_abstention": round(float((~answered[y == 1]).mean()), 4),
        "oof_declined": {
            str(k): round(float((~answered[kinds == k]).mean()), 4) for k in sorted(set(kinds))
        },
        "oof_declined_by_group": {
            str(g): round(float((~answered[(detail == g) & (y == 0)]).mean()), 4)
            for g in sorted(set(detail.tolist()))
            if ((detail == g) & (y == 0)).any()
        },
    }


def policy_label(item: BankItem) -> str:
    """The policy class of a bank question: a question about another law or topic is of that
    category, and so is a retired blind set's question of a policy category; any other (a near
    miss too: its topic is in scope) is in scope."""
    return item.kind if item.kind in POLICY_KINDS else IN_SCOPE


def fold_group(item: BankItem) -> str:
    """The fold group: a document's questions together; questions about no document of the
    corpus spread over the folds, so that every fold learns from some."""
    if item.doc:
        return item.doc
    return f"elsewhere-{int(hashlib.sha1(item.id.encode()).hexdigest(), 16) % FOLDS}"


def _train_policy(
    samples: Sequence[Sample],
    index: ExemplarIndex,
    exemplar_dense: Sequence[float],
    names: list[str],
    policy_digest: str,
    digest: str,
) -> PolicyModel:
    rows, ys, groups = [], [], []
    for i, label in enumerate(index.labels):
        rows.append(policy_features(index, names, index.vectors[i], exemplar_dense[i], exclude=i))
        ys.append(label)
        groups.append(f"exemplar-{label}-{i % FOLDS}")
    for s in samples:
        if s.item.kind == "gold_decline" or s.item.id.startswith("exemplar-"):
            continue  # no category of its own, or an exemplar already counted
        rows.append(s.policy_x)
        ys.append(policy_label(s.item))
        groups.append(fold_group(s.item))
    x = np.asarray(rows, dtype=float)
    y = np.asarray(ys)
    classes = sorted(set(ys))
    oof = np.zeros((len(y), len(classes)))
    for test in _folds(groups):
        net = _fit(x[~test], y[~test], POLICY_HIDDEN, POLICY_ALPHA)
        cols = [classes.index(c) for c in net.classes]
        oof[np.ix_(np.where(test)[0], cols)] = net.probabilities(x[test])
    # Declined: the probability of not being in scope reaches the threshold.
    decline = 1.0 - oof[:, classes.index(IN_SCOPE)]
    threshold = policy_threshold(decline, y == IN_SCOPE)
    net = _fit(x, y, POLICY_HIDDEN, POLICY_ALPHA)
    in_scope = y == IN_SCOPE
    p_harm = oof[:, [classes.index(c) for c in classes if c in HARMFUL]].sum(axis=1)
    harm = harm_threshold(p_harm, decline >= threshold, in_scope)
    declined = (decline >= threshold) | (p_harm >= harm)
    meta = {
        "bank_digest": digest,
        "policy_digest": policy_digest,
        "samples": len(y),
        "oof_false_decline": round(float(declined[y == IN_SCOPE].mean()), 4),
        "oof_declined": {
            c: round(float(declined[y == c].mean()), 4) for c in classes if c != IN_SCOPE
        },
    }
    return PolicyModel(
        features=feature_names(load_policy(), index.vectors.shape[1]),
        net=net,
        threshold=threshold,
        harm_threshold=harm,
        meta=meta,
    )
