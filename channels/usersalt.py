"""The salt of the hashed user ids: configured, or made once at first start and kept.

Without a salt a user key is the SHA-256 of a channel id anyone can enumerate; with a random
salt that stays in the data dir (mode 600) the hashes cannot be reversed by trying ids, and
they stay stable across restarts so follow-ups still find their conversation.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from nq57.datadir import DataDirError, check_writable

SALT_FILE = "user_key_salt"


def load_or_create_salt(data_dir: Path, configured: str = "") -> str:
    """The configured salt, or the one kept in ``data_dir`` (made there the first time);
    DataDirError when the file cannot be read or written."""
    if configured:
        return configured
    try:
        return _kept_salt(data_dir)
    except OSError as exc:
        check_writable(data_dir)  # raises DataDirError naming the directory
        raise DataDirError(f"cannot keep the user-id salt in {data_dir}: {exc.strerror}") from None


def _kept_salt(data_dir: Path) -> str:
    path = data_dir / SALT_FILE
    try:
        existing = path.read_text("ascii").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    data_dir.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    tmp = path.with_name(f".{SALT_FILE}-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(salt + "\n")
    # link() fails if another worker made the file first: then both use that one.
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text("ascii").strip()
