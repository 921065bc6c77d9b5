"""A small feed-forward classifier as shipped data: standardise, ReLU hidden layers, softmax.

With no hidden layer it is a (multinomial) logistic regression. The gate and the policy model
store one in their JSON (``models/*.json``); ``nq57 gate train`` fits it with scikit-learn and
this module alone reads it, so serving needs numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Network:
    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    weights: list[np.ndarray]  # (in, out) per layer, the last one to the classes
    biases: list[np.ndarray]
    classes: list[str]

    def probabilities(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """Class probabilities (rows: samples) for one feature vector or a matrix of them."""
        h = (np.atleast_2d(np.asarray(x, dtype=float)) - self.mean) / self.scale
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = np.maximum(h @ w + b, 0.0)
        z = h @ self.weights[-1] + self.biases[-1]
        if z.shape[1] == 1:  # a binary model keeps one logit, for the second class
            z = np.hstack([np.zeros_like(z), z])
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": self.classes,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "layers": [
                {"w": w.tolist(), "b": b.tolist()}
                for w, b in zip(self.weights, self.biases, strict=True)
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Network:
        return cls(
            mean=np.asarray(data["mean"], dtype=float),
            scale=np.asarray(data["scale"], dtype=float),
            weights=[np.asarray(layer["w"], dtype=float) for layer in data["layers"]],
            biases=[np.asarray(layer["b"], dtype=float) for layer in data["layers"]],
            classes=[str(c) for c in data["classes"]],
        )

    @classmethod
    def from_sklearn(cls, model: Any, mean: np.ndarray, scale: np.ndarray) -> Network:
        """A fitted ``MLPClassifier`` or ``LogisticRegression`` (trained on standardised input)."""
        if hasattr(model, "coefs_"):
            weights, biases = list(model.coefs_), list(model.intercepts_)
        else:
            weights, biases = [model.coef_.T], [model.intercept_]
        return cls(
            mean=np.asarray(mean, dtype=float),
            scale=np.asarray(scale, dtype=float),
            weights=[np.asarray(w, dtype=float) for w in weights],
            biases=[np.asarray(b, dtype=float) for b in biases],
            classes=[str(c) for c in model.classes_],
        )
