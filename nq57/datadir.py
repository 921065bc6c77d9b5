"""The data directory must be writable before anything is written to it.

A read-only or missing-permission data dir used to surface as a traceback from whichever
library touched it first (SQLite, Qdrant, the salt file). One check, one message naming it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class DataDirError(RuntimeError):
    """The data directory cannot be written; the message names it and says what to do."""


def check_writable(path: Path) -> Path:
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".nq57-write-test-", dir=path)
        try:
            os.write(fd, b"ok")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataDirError(
            f"Không ghi được vào thư mục dữ liệu {path.resolve()} ({reason}). "
            f"Cannot write to the data directory {path.resolve()}: {reason}. "
            "Set NQ57_DATA_DIR to a writable directory or fix its permissions."
        ) from None
    return path
