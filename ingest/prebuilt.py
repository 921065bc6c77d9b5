"""Vectors of the shipped corpus, computed once and shipped beside it (`corpus/vectors/`).

A fresh machine then indexes the corpus in seconds instead of minutes of embedding. Keys are the
embedding cache's content hashes, so a passage that was changed or added simply misses and is
embedded as usual; a file made by another model, or another version of it, is ignored.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def vectors_path(directory: Path, model_id: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", model_id.lower()).strip("-")
    return directory / f"{slug}.npz"


@dataclass(frozen=True)
class PrebuiltVectors:
    model_id: str
    version: str
    index: dict[str, int]
    matrix: np.ndarray

    def get(self, key: str) -> list[float] | None:
        row = self.index.get(key)
        return None if row is None else self.matrix[row].tolist()

    def __len__(self) -> int:
        return len(self.index)


def load_prebuilt(directory: Path, model_id: str, version: str) -> PrebuiltVectors | None:
    """The shipped vectors for this model and version, or None (absent, stale or unreadable:
    embedding then happens as if there were none)."""
    path = vectors_path(directory, model_id)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = [str(k) for k in data["keys"]]
            matrix = np.asarray(data["vectors"], dtype=np.float32)
            file_model, file_version = str(data["model_id"]), str(data["version"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("ignoring unreadable prebuilt vectors %s: %s", path, exc)
        return None
    if (file_model, file_version) != (model_id, version):
        log.info("ignoring %s: made by %s %s", path, file_model, file_version or "?")
        return None
    if matrix.ndim != 2 or matrix.shape[0] != len(keys):
        log.warning("ignoring malformed prebuilt vectors %s: shape %s", path, matrix.shape)
        return None
    return PrebuiltVectors(file_model, file_version, {k: i for i, k in enumerate(keys)}, matrix)


def save_prebuilt(
    directory: Path, model_id: str, version: str, vectors: Mapping[str, Sequence[float]]
) -> Path:
    """Write ``vectors`` (content hash → vector), sorted so the same corpus gives the same file."""
    path = vectors_path(directory, model_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(vectors)
    matrix = np.asarray([vectors[k] for k in keys], dtype=np.float32).reshape(len(keys), -1)
    current = load_prebuilt(directory, model_id, version)
    if current is not None and sorted(current.index) == keys:
        order = [current.index[k] for k in keys]
        if np.array_equal(current.matrix[order], matrix):
            return path  # unchanged: the shipped file stays byte for byte
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        np.savez_compressed(
            fh,
            keys=np.asarray(keys, dtype="U64"),
            vectors=matrix,
            model_id=np.asarray(model_id),
            version=np.asarray(version),
        )
    tmp.replace(path)
    return path
