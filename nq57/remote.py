"""The CLI talking to a running `nq57 serve` instead of opening the index it holds.

The embedded index (Qdrant Edge) is open in one process only. So `nq57 serve` leaves
``data_dir/service.json`` (its address and process id) while it runs, and `ask`, `search`
and `ingest` on the same data dir send their request to it: answers then come from the very
index citizens are served, and `ingest` re-indexes in the service (background, atomic swap)
instead of fighting it for the index. `ingest` needs NQ57_ADMIN_TOKEN for that.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx

from nq57.settings import Settings

FILE = "service.json"


class RemoteError(RuntimeError):
    """The running service refused or failed a request (Vietnamese message)."""


def service_file(settings: Settings) -> Path:
    return settings.data_dir / FILE


def announce(settings: Settings, host: str, port: int) -> Path:
    """Written by `nq57 serve` at start; removed at exit (see ``withdraw``)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    path = service_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"url": f"http://{shown}:{port}", "pid": os.getpid()}
    path.write_text(json.dumps(data), "utf-8")
    return path


def withdraw(settings: Settings) -> None:
    path = service_file(settings)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text("utf-8")).get("pid") == os.getpid():
            path.unlink()


def running_service(settings: Settings) -> str | None:
    """The URL of a live `nq57 serve` on this data dir, or None."""
    path = service_file(settings)
    try:
        data = json.loads(path.read_text("utf-8"))
        pid, url = int(data["pid"]), str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # left behind by a crash
    except PermissionError:
        pass  # alive, another user's
    try:
        httpx.get(f"{url}/healthz", timeout=2).raise_for_status()
    except httpx.HTTPError:
        return None
    return url


def _detail(r: httpx.Response) -> str:
    try:
        return str(r.json().get("detail"))
    except ValueError:
        return r.text[:200]


def ask(url: str, question: str, history: list[dict]) -> dict[str, Any]:
    body: dict[str, Any] = {"message": question}
    if history:
        body["history"] = history
    try:
        r = httpx.post(f"{url}/api/chat", json=body, timeout=60)
    except httpx.HTTPError as exc:
        raise RemoteError(f"không gọi được dịch vụ tại {url}: {exc}") from None
    if r.status_code != 200:
        raise RemoteError(f"dịch vụ tại {url} trả lời {r.status_code}: {_detail(r)}")
    return r.json()


def search(url: str, question: str, k: int) -> list[dict]:
    try:
        r = httpx.get(f"{url}/api/search", params={"q": question, "k": k}, timeout=60)
    except httpx.HTTPError as exc:
        raise RemoteError(f"không gọi được dịch vụ tại {url}: {exc}") from None
    if r.status_code != 200:
        raise RemoteError(f"dịch vụ tại {url} trả lời {r.status_code}: {_detail(r)}")
    return r.json()


def reindex(url: str, token: str | None, timeout: float = 1800) -> dict[str, Any]:
    """Ask the service to re-index and wait for it; the job's summary."""
    if not token:
        raise RemoteError(
            f"dịch vụ đang chạy tại {url} giữ chỉ mục: đặt NQ57_ADMIN_TOKEN (như của dịch vụ) để "
            "`nq57 ingest` yêu cầu dịch vụ nạp lại, hoặc xuất bản văn bản trong /admin."
        )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        r = httpx.post(f"{url}/api/admin/reindex", headers=headers, timeout=30)
        if r.status_code not in (202, 409):
            raise RemoteError(f"dịch vụ tại {url} từ chối nạp lại ({r.status_code}): {_detail(r)}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = httpx.get(f"{url}/api/admin/reindex", headers=headers, timeout=30).json()
            if job.get("state") in ("done", "failed"):
                return job
            time.sleep(1)
    except httpx.HTTPError as exc:
        raise RemoteError(f"không gọi được dịch vụ tại {url}: {exc}") from None
    raise RemoteError("quá thời gian chờ dịch vụ nạp lại chỉ mục.")
