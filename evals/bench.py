"""`nq57 bench`: latency, throughput and memory of ingest, search and ask on this machine."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from nq57.settings import Settings

GOLD_DIR = Path(__file__).parent / "gold"
FALLBACK_QUERIES = [
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "nghi quyet 57 chi cho khoa hoc bao nhieu phan tram GDP",
    "khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN",
    "bộ nào chủ trì nhiệm vụ 44 phụ lục II nghị quyết 03",
    "doanh nghiệp sản xuất thiết bị điện tử được ưu đãi thuế thế nào",
]


def rss_mb() -> float:
    """Resident set size of this process (Linux /proc)."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    return _status_kb("VmHWM") / 1024


def _status_kb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def bench_queries() -> list[str]:
    questions: list[str] = []
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return questions or FALLBACK_QUERIES


def run_bench(
    settings: Settings, n_queries: int = 200, cold: bool = False, progress: Any = None
) -> dict:
    from bot.assistant import build_assistant
    from ingest.pipeline import ingest

    result: dict[str, Any] = {"machine": {"cores": os.cpu_count()}}
    if cold:
        result["cold_ingest"] = _cold_ingest(settings)

    started = time.perf_counter()
    report = ingest(settings)
    result["reingest"] = {
        "seconds": round(time.perf_counter() - started, 3),
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "chunks": report.chunks,
    }

    rss_before = rss_mb()
    started = time.perf_counter()
    runtime = build_assistant(settings)
    result["load"] = {
        "seconds": round(time.perf_counter() - started, 3),
        "rss_mb_added": round(rss_mb() - rss_before, 1),
    }

    queries = bench_queries()
    queries = (queries * (n_queries // max(len(queries), 1) + 1))[:n_queries]
    # Warm the segmenter and the restorer before timing, with questions not timed below (a
    # timed question seen before would find its embedding cached).
    for q in FALLBACK_QUERIES:
        if q not in queries:
            runtime.assistant.ask(q)
    embed_ms, search_ms, pipeline_ms, ask_ms = [], [], [], []
    for q in queries:
        t0 = time.perf_counter()
        found = runtime.retriever.run(q, 10)
        search_ms.append((time.perf_counter() - t0) * 1000)
        # Split `search` into the query embedding (set by the model and the CPU) and the rest
        # of the pipeline; a question met earlier in the run has its embedding cached.
        if found.embed_ms:
            embed_ms.append(found.embed_ms)
        pipeline_ms.append(search_ms[-1] - found.embed_ms)
        t0 = time.perf_counter()
        runtime.assistant.ask(q)
        ask_ms.append((time.perf_counter() - t0) * 1000)
    total_s = sum(ask_ms) / 1000
    result["embed_query_ms"] = percentiles(embed_ms)
    result["search_ms"] = percentiles(search_ms)
    result["search_without_embedding_ms"] = percentiles(pipeline_ms)
    result["ask_ms"] = percentiles(ask_ms)
    result["ask_per_second_single_thread"] = round(len(ask_ms) / total_s, 1) if total_s else 0.0
    result["memory"] = {"rss_mb": round(rss_mb(), 1), "peak_rss_mb": round(peak_rss_mb(), 1)}
    result["queries"] = len(queries)
    result["flat"] = _flatten(result)
    return result


def _cold_ingest(settings: Settings) -> dict:
    """Full ingest into a scratch data dir with an empty embedding cache."""
    from ingest.pipeline import ingest

    scratch = Path(tempfile.mkdtemp(prefix="nq57-bench-"))
    try:
        cold_settings = settings.model_copy(
            update={"data_dir": scratch, "embed_cache_dir": None, "prebuilt_vectors": False}
        )
        started = time.perf_counter()
        report = ingest(cold_settings, rebuild=True)
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "chunks": report.chunks,
            "embed_seconds": round(report.embed_seconds, 2),
            "embed_tokens": report.embed_tokens,
            "tokens_per_second": round(report.tokens_per_second, 1),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == "flat":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat
