"""Re-index in the background while the service keeps answering, then swap atomically.

The new index is built as a new generation beside the live one (as `nq57 ingest --rebuild`
does; embeddings come from the cache and the shipped vectors, so only new passages are
embedded). A new assistant is loaded over it and warmed up, then it replaces the old one in
one assignment; requests already running finish on the old one, whose generation is removed
once they are done. A failure leaves the old index answering and says why.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels.web import AppState

log = logging.getLogger("nq57.reindex")


@dataclass
class Job:
    state: str = "idle"  # idle | running | done | failed
    message: str = "Chưa có lần nạp lại nào."
    started_at: datetime | None = None
    finished_at: datetime | None = None
    version: str | None = None
    seconds: float | None = None
    user: str | None = None
    detail: dict = field(default_factory=dict)
    report: dict | None = None  # what `nq57 ingest --json` prints

    def public(self) -> dict:
        return {
            "report": self.report,
            "state": self.state,
            "message": self.message,
            "version": self.version,
            "seconds": self.seconds,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class Reindexer:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.job = Job()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, user: str | None, detail: dict | None = None) -> bool:
        """False when a re-index is already running (the new one would redo its work)."""
        with self._lock:
            if self.job.state == "running":
                return False
            self.job = Job(
                state="running",
                message="Đang nạp lại chỉ mục; trợ lý vẫn trả lời bằng phiên bản hiện tại.",
                started_at=datetime.now(UTC),
                user=user,
                detail=detail or {},
            )
            self._thread = threading.Thread(target=self._run, name="nq57-reindex", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> Job:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.job

    def _run(self) -> None:
        job = self.job
        started = time.perf_counter()
        try:
            version, report = self._rebuild_and_swap()
        except Exception as exc:
            log.exception("re-index failed; the previous index keeps answering")
            job.state, job.message = "failed", f"Nạp lại thất bại, chỉ mục cũ vẫn hoạt động: {exc}"
        else:
            job.state, job.version = "done", version
            job.report = {
                k: getattr(report, k)
                for k in ("documents", "chunks", "added", "updated", "removed", "seconds")
            } | {"failed": report.failed, "warnings": report.warnings}
            job.message = (
                f"Đã xuất bản: phiên bản kho {version}, {report.documents} văn bản, "
                f"{report.chunks} đoạn ({report.embedded} đoạn mới được tạo vector)."
            )
        job.finished_at = datetime.now(UTC)
        job.seconds = round(time.perf_counter() - started, 2)
        self._audit(job)

    def _audit(self, job: Job) -> None:
        storage = self.state.storage
        if storage is None:
            return
        from channels.admin import audit

        try:
            audit.record(
                storage, job.user, f"reindex_{job.state}",
                job.detail | {"version": job.version, "seconds": job.seconds,
                              "message": job.message},
            )  # fmt: skip
        except Exception as exc:
            log.warning("could not write the audit log: %s", exc)

    def _rebuild_and_swap(self) -> tuple[str | None, Any]:
        from bot.assistant import build_assistant
        from channels.admin import versions
        from channels.admin.setup import refresh_curated
        from channels.server import settle_heap
        from ingest.pipeline import ingest
        from ingest.store import EdgeStore, open_store

        state = self.state
        settings = state.settings
        live = state.extra["live"]
        edge = settings.store == "edge"
        store = (
            EdgeStore(settings.index_dir / settings.collection, keep_previous=True)
            if edge
            else open_store(settings)
        )
        report = ingest(settings, rebuild=True, store=store)
        runtime = build_assistant(settings)
        runtime.assistant.ask("nghi quyet 57 la gi")  # load buffers before citizens wait on it
        runtime.documents()  # parse once, here, not in the first request after the swap
        version = versions.index_version(runtime.retriever.store)
        old = live.swap(runtime.assistant, version, runtime)
        state.searcher = runtime.search
        state.documents = runtime.documents
        settle_heap()
        flagged = refresh_curated(state)
        if state.storage is not None:
            versions.remember(state.storage, version, self.job.user, self.job.detail)
        self.job.detail = self.job.detail | {"flagged_curated": flagged}
        # The old generation goes once the requests it was serving are done.
        old.drain()
        old_store = getattr(getattr(old.assistant, "retriever", None), "store", None)
        if old_store is not None:
            old_store.close()
        previous = getattr(store, "previous", None)
        if previous is not None and previous.exists():
            shutil.rmtree(previous, ignore_errors=True)
        return version, report


def reindexer(state: AppState) -> Reindexer:
    found = state.extra.get("reindexer")
    if found is None:
        found = state.extra.setdefault("reindexer", Reindexer(state))
    return found
