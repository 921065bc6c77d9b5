"""The scope and safety policy: which questions the assistant declines, and what it says then.

The categories, their replies and their exemplar phrasings live in ``policy.yaml`` beside this
file (data, reviewed like code). A message is embedded as the dense search sees it (the index's
embedder, diacritics restored); a small classifier (``models/policy.json``, one hidden layer,
rebuilt by ``nq57 gate train``) reads that embedding, its closeness to each category's nearest exemplars
and how close the corpus comes, and gives probabilities per category. The rules in
``bot.intents`` stay as a backstop; with another embedder and no retrained model, they are all
that is left.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.network import Network
from bot.normalize import deobfuscate
from bot.safety import sanitize

POLICY_FILE = Path(__file__).with_name("policy.yaml")
MODELS_DIR = Path(__file__).with_name("models")
POLICY_MODEL = MODELS_DIR / "policy.json"
POLICY_VECTORS = MODELS_DIR / "policy_vectors.npz"
IN_SCOPE = "in_scope"
# Neighbours averaged per category: one stray exemplar must not decide alone.
TOP_N = 3


@dataclass(frozen=True)
class Category:
    name: str
    intent: str
    reply: str
    where: str
    exemplars: tuple[str, ...]

    @property
    def text(self) -> str:
        """The full reply: what the assistant says, then where to go instead."""
        return f"{self.reply}\n\n{self.where}".strip()


@dataclass(frozen=True)
class Policy:
    categories: dict[str, Category]

    @property
    def names(self) -> list[str]:
        return list(self.categories)

    def exemplars(self) -> list[tuple[str, str]]:
        """(category, phrasing) for every exemplar, in file order."""
        return [(c.name, e) for c in self.categories.values() for e in c.exemplars]

    def digest(self) -> str:
        """Hash of the exemplars: a model trained on other exemplars is stale."""
        raw = json.dumps(self.exemplars(), ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()


@cache
def load_policy(path: Path = POLICY_FILE) -> Policy:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = {
        name: Category(
            name=name,
            intent=body["intent"],
            reply=" ".join(str(body.get("reply") or "").split()),
            where=" ".join(str(body.get("where") or "").split()),
            exemplars=tuple(str(e) for e in body["exemplars"]),
        )
        for name, body in data["categories"].items()
    }
    if IN_SCOPE not in categories:
        raise ValueError(f"{path}: the policy needs an '{IN_SCOPE}' category")
    return Policy(categories)


def vector_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class ExemplarIndex:
    """Unit vectors of the exemplars, with each one's category."""

    labels: list[str]
    vectors: np.ndarray  # (n, dim), rows normalised

    @classmethod
    def build(
        cls,
        policy: Policy,
        embed: Callable[[str], Sequence[float]],
        model_id: str,
        shipped: Path = POLICY_VECTORS,
    ) -> ExemplarIndex:
        """Vectors come from the shipped file when it was made by this embedder; the rest are
        embedded now (an operator's own embedder, or an edited exemplar)."""
        known = _load_vectors(shipped, model_id)
        labels, rows = [], []
        for label, text in policy.exemplars():
            vec = known.get(vector_key(text))
            rows.append(np.asarray(vec if vec is not None else embed(text), dtype=np.float32))
            labels.append(label)
        return cls(labels, _unit(np.vstack(rows)))


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def _load_vectors(path: Path, model_id: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model_id:
                return {}
            return dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    except (OSError, KeyError, ValueError):
        return {}


def save_vectors(path: Path, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        model=np.array(model_id),
        keys=np.array([vector_key(t) for t in texts]),
        vectors=np.asarray(vectors, dtype=np.float32),
    )


def similarity_features(
    sims: np.ndarray, labels: Sequence[str], names: Sequence[str], exclude: int | None = None
) -> list[float]:
    """Per category, the mean of its ``TOP_N`` nearest exemplars' cosines (``exclude`` leaves
    one exemplar out, so training never sees an exemplar matched to itself)."""
    out = []
    labels_arr = np.asarray(labels)
    for name in names:
        mask = labels_arr == name
        if exclude is not None:
            mask[exclude] = False
        top = np.sort(sims[mask])[-TOP_N:]
        out.append(float(top.mean()) if top.size else 0.0)
    return out


@dataclass
class PolicyModel:
    """A classifier over the policy features (``bot/network.py``), as trained; the least
    probability of not being in scope that declines, and the least probability of harm (the
    ``HARMFUL`` categories together) that declines on its own: quoting the State's documents in answer to
    a hateful or defamatory question costs more than a false decline."""

    features: list[str]
    net: Network
    threshold: float
    harm_threshold: float = 1.0
    meta: dict = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        return self.net.classes

    @classmethod
    def load(cls, path: Path = POLICY_MODEL) -> PolicyModel | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            net = Network.from_json(data["network"])
        except (OSError, ValueError, KeyError):
            return None
        return cls(
            data["features"],
            net,
            float(data["threshold"]),
            float(data.get("harm_threshold", 1.0)),
            data.get("meta", {}),
        )

    def to_json(self) -> dict:
        return {
            "features": self.features,
            "network": self.net.to_json(),
            "threshold": self.threshold,
            "harm_threshold": self.harm_threshold,
            "meta": self.meta,
        }

    def probabilities(self, x: Sequence[float]) -> dict[str, float]:
        return dict(zip(self.classes, self.net.probabilities(x)[0].tolist(), strict=True))


@dataclass
class PolicyDecision:
    category: Category
    probability: float
    via: str  # "model" or "rule"


# Where one request ends and another begins: "NQ 57 nói gì về R&D? Nhân tiện, ông X …".
_CLAUSE_BREAK = re.compile(
    r"[?!;\n]+\s*|(?<!\d)\.+\s*|\.+(?!\d)\s*|,\s*(?=(?:và|còn|với lại) )|,?\s+(?=(?:và )?(?:nhân tiện|tiện thể|ngoài ra|thêm nữa|còn nữa|đồng thời|"
    r"sau đó|rồi|và cho|cho (?:tôi|mình|em) hỏi|by the way|btw|also)\b)",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 4
# What no legitimate question may carry. Only these decline a part of a message ("trích nguyên
# văn giúp mình" alone looks like a request to the assistant, and is harmless) or a follow-up's
# own words, and they have a threshold of their own.
HARMFUL = frozenset({"political", "allegation", "illegal", "hate", "personal_data"})
MAX_CLAUSES = 3


def harm_mass(probs: dict[str, float]) -> float:
    """The probability that a message is harmful in any of the HARMFUL ways."""
    return sum(v for c, v in probs.items() if c in HARMFUL)


# "Người dùng: … / Trợ lý: …": a pasted conversation's speaker labels say who spoke, not what
# is asked; each turn is read as a request of its own.
_SPEAKER = re.compile(
    r"(?im)^\s*(?:người dùng|nguoi dung|user|tôi|toi|khách|trợ lý|tro ly|assistant|bot|chatbot)"
    r"\s*:\s*"
)


def clauses(text: str) -> list[str]:
    """The separate requests of a message, when it holds more than one (else [])."""
    text = _SPEAKER.sub("\n", text)
    parts = [p.strip(" ,") for p in _CLAUSE_BREAK.split(text) if p and p.strip(" ,")]
    parts = [p for p in parts if len(p.split()) >= MIN_CLAUSE_WORDS]
    if len(parts) > MAX_CLAUSES:
        # A pasted conversation or a long build-up ends on what is asked now: keep the last.
        parts = parts[: MAX_CLAUSES - 1] + parts[-1:]
    return parts if len(parts) > 1 else []


@dataclass
class PolicyRouter:
    """Message vector in, the category to decline with (or None) out."""

    policy: Policy
    index: ExemplarIndex
    model: PolicyModel | None

    def features(self, vector: Sequence[float], dense_top: float) -> list[float]:
        return policy_features(self.index, self.policy.names, vector, dense_top)

    def probabilities(self, vector: Sequence[float], dense_top: float) -> dict[str, float]:
        """The model's probability of each category for one message or request ({} without a
        model: rules only)."""
        if self.model is None:
            return {}
        return self.model.probabilities(self.features(vector, dense_top))

    def run(
        self, vector: Sequence[float], dense_top: float, only: frozenset[str] | None = None
    ) -> PolicyDecision | None:
        """The category to decline with; ``only`` limits the categories that may decline."""
        return self.judge(self.probabilities(vector, dense_top), only)

    def judge(
        self, probs: dict[str, float], only: frozenset[str] | None = None
    ) -> PolicyDecision | None:
        """``run`` on probabilities already computed."""
        if self.model is None or not probs:
            return None
        # Answer only when the model is confident the question is in scope, or, for harm,
        # unless harm is likely enough; the likeliest category gives the reply. Harm is judged
        # on the harmful categories together: a question both political and an allegation
        # splits its probability between them.
        p = 1.0 - probs.get(IN_SCOPE, 0.0)
        name = max((c for c in probs if c != IN_SCOPE), key=lambda c: probs[c])
        harm = max((c for c in probs if c in HARMFUL), key=lambda c: probs[c], default=None)
        if p < self.model.threshold or (only and name not in only):
            if harm is None or harm_mass(probs) < self.model.harm_threshold:
                return None
            if only and harm not in only:
                return None
            name, p = harm, harm_mass(probs)
        return PolicyDecision(self.policy.categories[name], p, "model")

    def aside(self, probs: dict[str, float]) -> PolicyDecision | None:
        """A request beside a question the texts answer, judged on its own: the likeliest
        category the texts do not cover, once the model finds the request more likely out of
        scope than ``ASIDE_IN_SCOPE`` allows. A message's whole is held to the model's
        threshold; a request next to a legitimate one only needs to be clearly not one."""
        if not probs or probs.get(IN_SCOPE, 0.0) >= ASIDE_IN_SCOPE:
            return None
        name = max((c for c in probs if c != IN_SCOPE), key=lambda c: probs[c])
        if name in NOT_ASIDE:
            return None
        return PolicyDecision(self.policy.categories[name], 1.0 - probs[IN_SCOPE], "model")


# Below this chance of being in scope, a request beside a legitimate question is declined by
# itself (chosen on the development sets v4, v8 and adversarial v4, v8, v10).
ASIDE_IN_SCOPE = 0.2
# A greeting or a word about the assistant beside a question is no request to decline.
NOT_ASIDE = frozenset({"smalltalk", "assistant"})
# A request declined by itself must say something: "Trích đúng câu đó" only points back.
ASIDE_MIN_WORDS = 6


def policy_features(
    index: ExemplarIndex,
    names: Sequence[str],
    vector: Sequence[float],
    dense_top: float,
    exclude: int | None = None,
) -> list[float]:
    """The message's unit vector itself (a linear probe reads the whole embedding), its
    closeness to each category's exemplars, and how close the corpus comes."""
    unit = _unit(np.asarray(vector, dtype=np.float32)[None, :])[0]
    sims = index.vectors @ unit
    return [*unit.tolist(), *similarity_features(sims, index.labels, names, exclude), dense_top]


def feature_names(policy: Policy, dim: int) -> list[str]:
    return (
        [f"emb_{i}" for i in range(dim)] + [f"sim_{name}" for name in policy.names] + ["dense_top"]
    )


def exemplar_text(retriever: Any, text: str) -> str:
    """An exemplar as the dense search would see it: normalised and diacritics restored, so a
    message and the exemplars meet in the same form."""
    return retriever.analyze(deobfuscate(sanitize(text))).restored


def build_router(retriever: Any, policy: Policy | None = None) -> PolicyRouter:
    """The router over ``retriever``'s embedder (the model the index was built with)."""
    policy = policy or load_policy()
    index = ExemplarIndex.build(
        policy,
        lambda t: retriever.query_vector(exemplar_text(retriever, t)),
        retriever.embedder.model_id,
    )
    model = PolicyModel.load()
    if model is not None and (
        model.meta.get("policy_digest") != policy.digest()
        or model.meta.get("embedder") != retriever.embedder.model_id
    ):
        model = None  # trained on other exemplars or another embedder: stale, rules only
    return PolicyRouter(policy, index, model)
