"""Load test of a running `nq57 serve`: concurrent clients on POST /api/chat for a fixed time.

    .venv/bin/python scripts/loadtest.py http://127.0.0.1:8765 --seconds 30 --clients 20 --pid PID

Questions come from the gold set (each client starts at a different one and cycles). Prints
requests, errors, requests/s and latency percentiles; with --pid also the server's resident
memory (VmRSS now, VmHWM peak) from /proc. Exit code 1 when any request failed.

Run the server with a high NQ57_RATE_LIMIT_PER_MINUTE: every client comes from one address, so
the normal per-client limit would turn the run into a test of the limiter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

DEFAULT_GOLD = Path(__file__).resolve().parents[1] / "evals" / "gold" / "dev.jsonl"


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    intents: Counter[str] = field(default_factory=Counter)


def load_questions(path: Path) -> list[str]:
    questions = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            # Follow-ups need their history; a load test sends single questions.
            if not item.get("history"):
                questions.append(item["question"])
    if not questions:
        raise SystemExit(f"no questions in {path}")
    return questions


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (Linux)."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0])
    return out


async def client_loop(
    http: httpx.AsyncClient, questions: list[str], start: int, deadline: float, tally: Tally
) -> None:
    i = start
    # Bounded by the deadline; every request is bounded by the client's timeout.
    while time.monotonic() < deadline:
        question = questions[i % len(questions)]
        i += 1
        began = time.perf_counter()
        try:
            response = await http.post("/api/chat", json={"message": question})
        except httpx.HTTPError as exc:
            tally.errors[type(exc).__name__] += 1
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            tally.errors[f"HTTP {response.status_code}"] += 1
            continue
        tally.latencies_ms.append(elapsed)
        tally.intents[response.json().get("intent", "?")] += 1


async def run(url: str, clients: int, seconds: float, questions: list[str]) -> tuple[Tally, float]:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as http:
        (await http.get("/readyz")).raise_for_status()
        began = time.monotonic()
        deadline = began + seconds
        await asyncio.gather(
            *(
                client_loop(http, questions, n * len(questions) // clients, deadline, tally)
                for n in range(clients)
            )
        )
        elapsed = time.monotonic() - began
    return tally, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="base URL of the server, e.g. http://127.0.0.1:8765")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--pid", type=int, help="server process id, to report its memory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be ≥ 1 and --seconds > 0")

    questions = load_questions(args.gold)
    before = memory_kb(args.pid) if args.pid else {}
    try:
        tally, elapsed = asyncio.run(run(args.url, args.clients, args.seconds, questions))
    except httpx.HTTPError as exc:
        print(f"server not ready at {args.url}: {exc}", file=sys.stderr)
        return 2
    after = memory_kb(args.pid) if args.pid else {}

    lat = tally.latencies_ms
    n_errors = sum(tally.errors.values())
    result = {
        "clients": args.clients,
        "seconds": round(elapsed, 2),
        "requests": len(lat) + n_errors,
        "ok": len(lat),
        "errors": n_errors,
        "error_kinds": dict(tally.errors),
        "requests_per_second": round(len(lat) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else None,
        "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
        "intents": dict(tally.intents),
    }
    if args.pid:
        result |= {
            "rss_before_mb": round(before.get("VmRSS", 0) / 1024, 1),
            "rss_after_mb": round(after.get("VmRSS", 0) / 1024, 1),
            "rss_peak_mb": round(after.get("VmHWM", 0) / 1024, 1),
        }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    return 1 if n_errors else 0


if __name__ == "__main__":
    sys.exit(main())
