"""The shipped classifier format reads back what scikit-learn fitted, hidden layer or none."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from bot.network import Network


def _data(classes: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 5))
    y = np.digitize(x[:, 0] + 0.5 * x[:, 1] ** 2, np.linspace(-1, 2, classes - 1))
    return x, y


@pytest.mark.parametrize("classes", [2, 4])
@pytest.mark.parametrize(
    "model",
    [
        lambda: LogisticRegression(max_iter=2000),
        lambda: MLPClassifier((8,), max_iter=3000, random_state=0),
    ],
)
def test_network_matches_sklearn_and_survives_json(model, classes):
    x, y = _data(classes)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    fitted = model().fit((x - mean) / scale, y)
    net = Network.from_json(Network.from_sklearn(fitted, mean, scale).to_json())
    assert net.classes == [str(c) for c in fitted.classes_]
    np.testing.assert_allclose(
        net.probabilities(x), fitted.predict_proba((x - mean) / scale), atol=1e-9
    )
    # One feature vector alone gives one row.
    assert net.probabilities(x[0]).shape == (1, len(fitted.classes_))
