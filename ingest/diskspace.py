"""Free space checked before ingest writes: a full disk is a clear error, not a SIGBUS.

The embedded Qdrant shard writes through memory-mapped files; when the file system cannot give
a mapped page its block the process is killed by SIGBUS, half way through. So ingest first
estimates what it will write and refuses, with the numbers, when the disk does not have it
(plus a margin); the live index generation is not touched and keeps answering.
"""

from __future__ import annotations

import os
from pathlib import Path

MB = 1024 * 1024
# Measured on the shipped corpus: 739 chunks take 8.1 MB in a generation on ext4 (≈11 KB each,
# WAL and payload indexes included), but 62 MB on tmpfs once loaded, where the shard's mapped
# files (32 MB each, sparse) get their pages; twice the per-chunk figure leaves room for merges.
BYTES_PER_CHUNK = 32 * 1024
NEW_GENERATION_BYTES = 96 * MB


class DiskFullError(RuntimeError):
    """Not enough free space to write the index."""


def free_bytes(path: Path) -> int:
    """Free bytes for an unprivileged writer on the file system holding ``path``."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    st = os.statvfs(probe)
    return st.f_bavail * st.f_frsize


def used_bytes(path: Path) -> int:
    """Blocks actually allocated under ``path`` (the shard's files are sparse)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total


def needed_bytes(
    new_chunks: int, live_generation: Path | None, rebuild: bool, margin_mb: int
) -> int:
    """What ingest may write: the new chunks, or for a new generation the whole index again."""
    estimate = new_chunks * BYTES_PER_CHUNK
    if rebuild:
        estimate += NEW_GENERATION_BYTES
        if live_generation is not None and live_generation.exists():
            estimate = max(estimate, 2 * used_bytes(live_generation))
    return estimate + margin_mb * MB


def ensure_free(path: Path, needed: int) -> None:
    free = free_bytes(path)
    if free < needed:
        raise DiskFullError(
            f"not enough free space in {Path(path).resolve()}: ingest needs about "
            f"{needed / MB:.0f} MB, {free / MB:.0f} MB are free; the existing index is unchanged "
            f"(free some space or lower NQ57_INGEST_MIN_FREE_MB)"
        )
