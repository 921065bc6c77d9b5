"""`nq57` command line (contract in ARCHITECTURE.md, "CLI contract")."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nq57.admin_cli import admin_app
from nq57.cli_gate import gate_app
from nq57.cli_rank import rank_app
from nq57.errors import explain, fail, vietnamese
from nq57.report_cli import report_app
from nq57.settings import Settings, get_settings

app = typer.Typer(
    help="Trợ lý hỏi đáp Nghị quyết 57-NQ/TW: nạp văn bản, tìm kiếm, hỏi đáp, đánh giá.",
    no_args_is_help=True,
)
eval_app = typer.Typer(help="Đánh giá chất lượng (gold set, ALQAC).", no_args_is_help=True)
telegram_app = typer.Typer(help="Kênh Telegram.", no_args_is_help=True)
zalo_app = typer.Typer(help="Kênh Zalo Bot Platform.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(telegram_app, name="telegram")
app.add_typer(zalo_app, name="zalo")
app.add_typer(gate_app, name="gate")
app.add_typer(rank_app, name="rerank")
app.add_typer(admin_app, name="admin")
app.add_typer(report_app, name="report")

console = Console(stderr=True)
out = Console()


def _settings(corpus: Path | None = None) -> Settings:
    settings = get_settings()
    if corpus is not None:
        settings = settings.model_copy(update={"corpus_dir": corpus})
    return settings


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(message: str, code: int = 1) -> None:
    fail(message, code)  # one line, in Vietnamese


def main() -> None:
    """Entry point: usage errors and unexpected failures as one Vietnamese line, no traceback
    (NQ57_DEBUG=1 shows it)."""
    import os

    try:
        code = app(standalone_mode=False)
    except Exception as exc:
        # Click's exceptions (Typer ships its own copy of click): told apart by their shape.
        if type(exc).__name__ == "Abort":
            console.print("Đã hủy.")
            code = 1
        elif hasattr(exc, "format_message") and getattr(exc, "exit_code", None) == 2:
            ctx = getattr(exc, "ctx", None)
            where = f" Xem `{ctx.command_path if ctx else 'nq57'} --help`."
            message = vietnamese(exc.format_message())
            console.print(f"[red]Lỗi:[/red] {message}{where}", highlight=False, soft_wrap=True)
            code = 2
        elif os.environ.get("NQ57_DEBUG"):
            raise
        else:
            console.print(f"[red]Lỗi:[/red] {explain(exc)}", highlight=False, soft_wrap=True)
            code = 1
    sys.exit(code if isinstance(code, int) else 0)


def _runtime(settings: Settings):
    from bot.assistant import build_assistant
    from ingest.embed import EmbedderError
    from ingest.store import StoreError
    from nq57.datadir import DataDirError, check_writable

    try:
        if settings.store == "edge":
            check_writable(settings.data_dir)  # the embedded index writes even when read
        return build_assistant(settings)
    except DataDirError as exc:
        _fail(str(exc))
    except (StoreError, EmbedderError) as exc:
        _fail(str(exc))


# --------------------------------------------------------------------------- ingest


@app.command()
def ingest(
    corpus: Annotated[
        Path | None, typer.Option(help="Thư mục kho văn bản (chứa docs/ và catalog).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Dựng lại toàn bộ chỉ mục bên cạnh chỉ mục cũ rồi hoán đổi.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In tóm tắt dạng JSON.")] = False,
) -> None:
    """Nạp kho văn bản vào chỉ mục (tăng dần theo content hash, hoặc --rebuild)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.catalog import CatalogError
    from ingest.embed import EmbedderError
    from ingest.pipeline import IngestError
    from ingest.pipeline import ingest as run_ingest
    from ingest.store import StoreError

    settings = _settings(corpus)
    if _remote_ingest(settings, as_json):
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            label = {"parse": "Phân tích văn bản", "embed": "Tạo vector"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            report = run_ingest(settings, rebuild=rebuild, progress=progress)
        except (IngestError, StoreError, EmbedderError, CatalogError) as exc:
            _fail(str(exc))
    summary = {
        k: getattr(report, k)
        for k in ("documents", "chunks", "added", "updated", "removed", "seconds")
    }
    if as_json:
        _emit_json(
            summary
            | {
                "failed": report.failed,
                "warnings": report.warnings,
                "embedded": report.embedded,
                "prebuilt": report.prebuilt,
                "embed_tokens": report.embed_tokens,
                "tokens_per_second": round(report.tokens_per_second, 1),
                "per_document": report.per_document,
            }
        )
    else:
        table = Table(title="Nạp văn bản")
        for key in summary:
            table.add_column(key)
        table.add_row(*(str(v) for v in summary.values()))
        out.print(table)
        if report.embedded:
            out.print(
                f"Đã tạo {report.embedded} vector, {report.embed_tokens} token, "
                f"{report.tokens_per_second:.0f} token/s"
            )
        if report.prebuilt:
            out.print(f"Dùng {report.prebuilt} vector dựng sẵn kèm kho văn bản")
        for warning in report.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}")
        for failure in report.failed:
            console.print(f"[red]failed:[/red] {failure['file']}: {failure['error']}")
    if report.failed:
        raise typer.Exit(2)


def _remote_ingest(settings: Settings, as_json: bool) -> bool:
    """While `nq57 serve` runs on this data dir, it re-indexes (background, atomic swap)."""
    from nq57 import remote

    url = remote.running_service(settings)
    if url is None:
        return False
    if settings.corpus_dir.resolve() != get_settings().corpus_dir.resolve():
        _fail(f"dịch vụ tại {url} nạp kho văn bản của chính nó; --corpus khác không dùng được.")
    console.print(f"Dịch vụ đang chạy tại {url}: yêu cầu dịch vụ nạp lại chỉ mục…")
    try:
        job = remote.reindex(url, settings.admin_token)
    except remote.RemoteError as exc:
        _fail(str(exc))
    if job.get("state") != "done":
        _fail(job.get("message") or "dịch vụ không nạp lại được chỉ mục.")
    if as_json:
        _emit_json(job.get("report") or {})
    else:
        out.print(job.get("message", ""), markup=False, highlight=False)
    return True


@app.command("export-vectors")
def export_vectors(
    corpus: Annotated[
        Path | None, typer.Option(help="Thư mục kho văn bản (chứa docs/ và catalog).")
    ] = None,
) -> None:
    """Ghi vector của mọi đoạn văn bản vào corpus/vectors/ để phát hành kèm kho văn bản."""
    from ingest.embed import EmbedderError
    from ingest.pipeline import IngestError
    from ingest.pipeline import export_vectors as run_export

    try:
        path, count = run_export(_settings(corpus))
    except (IngestError, EmbedderError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write the corpus vectors: {exc}")
    out.print(f"Đã ghi {count} vector vào {path}")


@app.command()
def inspect(
    doc: Annotated[str, typer.Argument(help="Tên tệp hoặc id văn bản, ví dụ nq-57-2024.txt")],
) -> None:
    """In cây cấu trúc (locator) của một văn bản để kiểm tra trước khi nạp."""
    from ingest.catalog import discover
    from ingest.loaders import LoaderError
    from ingest.pipeline import parse_file
    from ingest.structure import render_tree

    settings = _settings()
    path = Path(doc)
    metas, _ = discover(settings.corpus_dir)
    meta = next((m for m in metas if doc in (m.file, m.id) or path.name == m.file), None)
    if meta is None:
        if not path.exists():
            _fail(f"không tìm thấy văn bản {doc!r} trong {settings.docs_dir}")
        from ingest.catalog import guess_meta
        from ingest.loaders import load_file

        meta = guess_meta(load_file(path), path.name)
    else:
        path = settings.docs_dir / meta.file
    try:
        parsed = parse_file(path, meta, settings)
    except LoaderError as exc:
        _fail(str(exc))
    out.print(render_tree(parsed.root), markup=False, highlight=False)
    console.print(f"{len(parsed.chunks)} chunks")


# --------------------------------------------------------------------------- search / ask


@app.command()
def search(
    question: str,
    k: Annotated[int, typer.Option("-k", help="Số kết quả.")] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tìm kiếm lai (dense + sparse) trong kho văn bản."""
    from nq57 import remote

    settings = _settings()
    url = remote.running_service(settings)
    if url is not None:
        try:
            rows = remote.search(url, question, k)
        except remote.RemoteError as exc:
            _fail(str(exc))
    else:
        runtime = _runtime(settings)
        hits = runtime.search(question, k)
        rows = [h.search_row(i) for i, h in enumerate(hits, start=1)]
    if as_json:
        _emit_json(rows)
        return
    table = Table(show_lines=True)
    for col in ("#", "văn bản", "vị trí", "nội dung"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["rank"]), r["doc_number"], r["locator"], r["text"][:300])
    out.print(table)


@app.command()
def ask(
    question: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    history: Annotated[
        Path | None, typer.Option(help="Tệp JSON: danh sách {role, content}.")
    ] = None,
) -> None:
    """Hỏi một câu, nhận câu trả lời có trích dẫn."""
    from bot.answer import Turn

    turns: list[Turn] = []
    if history is not None:
        try:
            raw = json.loads(history.read_text("utf-8"))
            turns = [Turn(role=t["role"], content=t["content"]) for t in raw]
        except OSError as exc:
            _fail(f"không đọc được tệp lịch sử {history}: {exc.strerror or exc}")
        except (ValueError, KeyError, TypeError) as exc:
            _fail(f"tệp lịch sử {history} cần là danh sách JSON các {{role, content}}: {exc}")
    settings = _settings()
    if _remote_ask(settings, question, turns, as_json):
        return
    runtime = _runtime(settings)
    answer = runtime.assistant.ask(question, turns)
    base = runtime.settings.public_base_url.rstrip("/")
    if as_json:
        _emit_json(
            {
                "answer": answer.text,
                "citations": [
                    {
                        "doc": c.doc,
                        "doc_number": c.doc_number,
                        "locator": c.locator,
                        "quote": c.quote,
                        "url": base + c.url,
                        "related": c.related,
                    }
                    for c in answer.citations
                ],
                "intent": answer.intent,
                "abstained": answer.abstained,
                "latency_ms": answer.latency_ms,
            }
        )
        return
    out.print(answer.text, markup=False, highlight=False)
    if answer.citations:
        out.print("\nNguồn:", style="bold")
        for i, c in enumerate(answer.citations, 1):
            out.print(
                f"[{i}] {c.doc_number}, {c.locator} — {base}{c.url}", markup=False, highlight=False
            )


def _remote_ask(settings: Settings, question: str, turns: list, as_json: bool) -> bool:
    from nq57 import remote

    url = remote.running_service(settings)
    if url is None:
        return False
    try:
        data = remote.ask(url, question, [{"role": t.role, "content": t.content} for t in turns])
    except remote.RemoteError as exc:
        _fail(str(exc))
    base = settings.public_base_url.rstrip("/") or url
    cites = [
        {k: c.get(k) for k in ("doc", "doc_number", "locator", "quote", "related")}
        | {"url": base + c["url"]}
        for c in data.get("citations", [])
    ]
    if as_json:
        _emit_json(
            {"answer": data["answer"], "citations": cites}
            | {k: data.get(k) for k in ("intent", "abstained", "latency_ms")}
        )
        return True
    out.print(data["answer"], markup=False, highlight=False)
    if cites:
        out.print("\nNguồn:", style="bold")
        for i, c in enumerate(cites, 1):
            out.print(f"[{i}] {c['doc_number']}, {c['locator']} — {c['url']}", markup=False)
    return True


# --------------------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Địa chỉ lắng nghe.")] = None,
    port: Annotated[int | None, typer.Option(help="Cổng.")] = None,
) -> None:
    """Chạy web API, widget và webhook các kênh."""
    import uvicorn

    from channels.server import ServeError, build_app
    from nq57 import remote

    settings = _settings()
    try:
        web = build_app(settings)
    except ServeError as exc:
        _fail(str(exc))
    host, port = host or settings.host, port or settings.port
    # Tells `nq57 ask/search/ingest` on this data dir to go through this process.
    remote.announce(settings, host, port)
    try:
        uvicorn.run(
            web,
            host=host,
            port=port,
            log_level="info",
            access_log=settings.access_log,
            # The app reads X-Forwarded-For itself, from NQ57_TRUSTED_PROXIES only.
            proxy_headers=False,
        )
    finally:
        remote.withdraw(settings)


# --------------------------------------------------------------------------- purge


@app.command()
def purge(
    before: Annotated[
        str | None,
        typer.Option(
            help="Xoá các cuộc trò chuyện không hoạt động từ trước ngày này (YYYY-MM-DD)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
) -> None:
    """Xoá dữ liệu trò chuyện cũ (mặc định: quá NQ57_RETENTION_DAYS ngày)."""
    from datetime import UTC, datetime

    from channels.resilient import open_guarded
    from channels.retention import cutoff
    from channels.storage import StorageError
    from nq57.datadir import DataDirError

    settings = _settings()
    if before is None:
        when = cutoff(settings.retention_days)
    else:
        try:
            when = datetime.fromisoformat(before)
        except ValueError:
            _fail(f"--before: not a date (YYYY-MM-DD): {before!r}", code=2)
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    try:
        storage = open_guarded(settings)
    except DataDirError as exc:
        _fail(str(exc))
    try:
        storage.migrate()
        deleted = storage.inner.purge(when)
    except StorageError as exc:
        _fail(f"conversation store unavailable: {exc}")
    finally:
        storage.close()
    if as_json:
        _emit_json({"before": when.isoformat(), **deleted})
    else:
        out.print(
            f"Đã xoá {deleted['conversations']} cuộc trò chuyện, {deleted['messages']} tin nhắn, "
            f"{deleted['feedback']} đánh giá (trước {when.date().isoformat()})"
        )


# --------------------------------------------------------------------------- eval


@eval_app.command("run")
def eval_run(
    gold: Annotated[list[Path], typer.Argument(help="Một hoặc nhiều tệp gold JSONL.")],
    k: Annotated[int, typer.Option("--k")] = 5,
    report: Annotated[Path, typer.Option(help="Thư mục báo cáo.")] = Path("reports/latest"),
    url: Annotated[
        str | None, typer.Option(help="Chạy với máy chủ đang chạy thay vì trong tiến trình.")
    ] = None,
    compare: Annotated[Path | None, typer.Option(help="results.json cũ để so sánh.")] = None,
    alqac: Annotated[
        Path | None, typer.Option(help="Kết quả JSON của `nq57 eval alqac` để đưa vào báo cáo.")
    ] = None,
    min_hit5: Annotated[float | None, typer.Option()] = None,
    min_recall5: Annotated[float | None, typer.Option()] = None,
    min_citation: Annotated[float | None, typer.Option()] = None,
    min_facts: Annotated[float | None, typer.Option()] = None,
    min_abstention: Annotated[
        float | None, typer.Option(help="Ngưỡng chung cho precision và recall.")
    ] = None,
    max_false_abstention: Annotated[float | None, typer.Option()] = None,
    max_p95_ms: Annotated[float | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Chạy gold set, viết report.md, report.html, results.json và biểu đồ."""
    import os

    from evals.compare import check_thresholds, render_comparison
    from evals.compare import compare as compare_runs
    from evals.gold_io import GoldError, load_gold
    from evals.report import write_report
    from evals.runner import run_gold

    try:
        items = [item for path in gold for item in load_gold(path)]
    except (GoldError, OSError) as exc:
        _fail(str(exc))
    backend = _eval_backend(url)
    with _progress_bar(len(items), "Đánh giá", quiet=as_json) as tick:
        run = run_gold(items, backend, k=k, progress=tick)
    from evals.judge import judge_configured, judge_run

    settings = _settings()
    if judge_configured(settings):
        run.judged = judge_run(run, settings)
    alqac_data = json.loads(alqac.read_text("utf-8")) if alqac else None
    written = write_report(
        run,
        report,
        alqac=alqac_data,
        machine={"cores": os.cpu_count(), "backend": url or "in-process"},
    )
    summary = written["summary"]
    thresholds = {
        name: value
        for name, value in {
            "min_hit5": min_hit5,
            "min_recall5": min_recall5,
            "min_citation": min_citation,
            "min_facts": min_facts,
            "min_abstention_precision": min_abstention,
            "min_abstention_recall": min_abstention,
            "max_false_abstention": max_false_abstention,
            "max_p95_ms": max_p95_ms,
        }.items()
        if value is not None
    }
    failed = check_thresholds(summary, thresholds)
    regressions = None
    if compare is not None:
        comparison = compare_runs(
            json.loads(compare.read_text("utf-8")),
            json.loads((report / "results.json").read_text("utf-8")),
        )
        regressions = comparison.has_regressions
        console.print(render_comparison(comparison), markup=False)
    if as_json:
        _emit_json(summary | {"report": str(report), "failed_thresholds": failed})
    else:
        _print_summary(summary)
        out.print(f"Báo cáo: {report / 'report.html'}")
    for f in failed:
        console.print(f"[red]threshold failed:[/red] {f}")
    if failed or regressions:
        raise typer.Exit(1)


def _eval_backend(url: str | None):
    from evals.inprocess import runtime_backend
    from evals.runner import HttpBackend

    return HttpBackend(url) if url else runtime_backend(_runtime(_settings()))


class _progress_bar:
    def __init__(self, total: int, label: str, quiet: bool = False) -> None:
        from rich.progress import Progress

        self.progress = Progress(console=console, transient=True, disable=quiet)
        self.total, self.label = total, label

    def __enter__(self):
        self.progress.start()
        task = self.progress.add_task(self.label, total=self.total)
        return lambda done, total: self.progress.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _print_summary(summary: dict) -> None:
    cols = [
        "n",
        "hit@5",
        "recall@5",
        "mrr@10",
        "citation_accuracy",
        "fact_coverage",
        "abstention_precision",
        "abstention_recall",
        "false_abstention",
        "answer_p95_ms",
    ]
    table = Table(title="Kết quả")
    table.add_column("nhóm")
    for c in cols:
        table.add_column(c)

    def fmt(v: Any) -> str:
        return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    rows = [("overall", summary["overall"])] + [
        (f"style={k}", v) for k, v in summary.get("by_style", {}).items()
    ]
    for name, figures in rows:
        table.add_row(name, *(fmt(figures.get(c)) for c in cols))
    out.print(table)


@eval_app.command("alqac")
def eval_alqac(
    directory: Annotated[Path, typer.Argument(help="Thư mục chứa law.json")],
    questions: Annotated[Path, typer.Option(help="Tệp câu hỏi (train.json, question.json …)")],
    strip_diacritics: Annotated[
        bool | None,
        typer.Option(
            "--strip-diacritics/--keep-diacritics",
            help="Chỉ chạy một biến thể; mặc định chạy cả hai.",
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Chỉ lấy N câu hỏi đầu.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Benchmark truy hồi định dạng ALQAC trong một collection riêng."""
    from evals.alqac import run_alqac

    result = run_alqac(
        directory, questions, _settings(), strip_diacritics=strip_diacritics, limit=limit
    )
    if as_json:
        _emit_json(result)
        return
    table = Table(title=f"ALQAC {result.get('dataset', '')} (n={result.get('n')})")
    for col in ("hệ thống", "biến thể", "acc@1", "recall@10", "mrr@10"):
        table.add_column(col)
    for system in ("system", "bm25", "dense"):
        for variant, figures in (result.get(system) or {}).items():
            table.add_row(
                system,
                variant,
                *(f"{figures[m]:.3f}" for m in ("acc_at_1", "recall_at_10", "mrr_at_10")),
            )
    out.print(table)


@eval_app.command("restoration")
def eval_restoration(
    gold: Annotated[
        list[Path], typer.Argument(help="Tệp gold JSONL: câu hỏi có dấu được bỏ dấu rồi khôi phục.")
    ],
) -> None:
    """Đo độ chính xác khôi phục dấu tiếng Việt trên các câu hỏi có dấu của gold set."""
    from evals.gold_io import load_gold
    from evals.restoration import restoration_accuracy

    runtime = _runtime(_settings())
    if runtime.retriever.restorer is None:
        _fail("no diacritic model in the index: run `nq57 ingest`")
    questions = [item.question for path in gold for item in load_gold(path)]
    _emit_json(restoration_accuracy(runtime.retriever.restorer, questions))


@eval_app.command("failures")
def eval_failures(
    results: Annotated[Path, typer.Argument(help="results.json của một lần chạy")],
) -> None:
    """Liệt kê các câu hỏi bị sai: đã truy hồi gì, đã trả lời gì, vì sao sai."""
    from evals.report import failures, render_failures

    data = json.loads(results.read_text("utf-8"))
    out.print(render_failures(failures(data), markup=True))


@eval_app.command("decline")
def eval_decline(
    files: Annotated[
        list[Path], typer.Argument(help="Câu hỏi ngoài kho: tệp ALQAC (.json) hoặc JSONL.")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tỷ lệ câu hỏi mà kho văn bản không trả lời được được từ chối, theo từng loại."""
    from bot.answer import Turn
    from evals.decline import load_decline_items, run_decline

    try:
        items = [item for path in files for item in load_decline_items(path)]
    except (OSError, ValueError, KeyError) as exc:
        _fail(f"không đọc được tệp câu hỏi: {exc}")
    runtime = _runtime(_settings())

    def ask(question: str, history: list[dict]) -> dict:
        turns = [Turn(t["role"], t["content"]) for t in history]
        return runtime.assistant.ask(question, turns).to_dict()

    result = run_decline(items, ask)
    if as_json:
        _emit_json(result)
        return
    table = Table(title=f"Từ chối đúng: {result['declined']:.3f} (n={result['n']})")
    for col in ("loại", "n", "tỷ lệ từ chối", "đính chính"):
        table.add_column(col)
    for category, row in result["by_category"].items():
        table.add_row(category, str(row["n"]), f"{row['declined']:.3f}", f"{row['corrected']:.3f}")
    out.print(table)
    if result["quoted_sensitive"]:
        out.print(f"Trích văn bản cho câu hỏi nhạy cảm: {', '.join(result['quoted_sensitive'])}")


# --------------------------------------------------------------------------- bench


@app.command()
def bench(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    queries: Annotated[int, typer.Option(help="Số truy vấn đo độ trễ.")] = 200,
    cold: Annotated[
        bool, typer.Option(help="Đo cả nạp nguội (xóa cache vector, mất vài phút).")
    ] = False,
) -> None:
    """Đo độ trễ, thông lượng và bộ nhớ của ingest, search và ask."""
    from evals.bench import run_bench

    result = run_bench(_settings(), n_queries=queries, cold=cold, progress=console)
    if as_json:
        _emit_json(result)
        return
    table = Table(title=f"Benchmark ({result['machine']['cores']} nhân)")
    table.add_column("phép đo")
    table.add_column("giá trị")
    for key, value in result["flat"].items():
        table.add_row(key, str(value))
    out.print(table)


# --------------------------------------------------------------------------- channels


def _messenger_channels(with_assistant: bool = True) -> dict[str, Any]:
    from channels.server import ServeError, messenger_channels

    try:
        return messenger_channels(_settings(), with_assistant=with_assistant)
    except ServeError as exc:
        _fail(str(exc))
    return {}


def _run_channel(name: str, token_var: str, action: str, url: str | None = None) -> None:
    """``set-webhook`` (no assistant needed) or ``poll`` for one messenger channel."""
    import asyncio

    channels = _messenger_channels(with_assistant=action == "poll")
    if name not in channels:
        _fail(f"{token_var} is not set")
    channel = channels[name]
    asyncio.run(channel.set_webhook(url) if action == "set-webhook" else channel.poll())


@telegram_app.command("set-webhook")
def telegram_set_webhook(url: str) -> None:
    """Đăng ký webhook Telegram (URL công khai tới /webhooks/telegram)."""
    _run_channel("telegram", "NQ57_TELEGRAM_TOKEN", "set-webhook", url)
    out.print(f"Đã đặt webhook Telegram: {url}")


@telegram_app.command("poll")
def telegram_poll() -> None:
    """Chạy bot Telegram bằng long polling (phát triển cục bộ)."""
    _run_channel("telegram", "NQ57_TELEGRAM_TOKEN", "poll")


@zalo_app.command("set-webhook")
def zalo_set_webhook(url: str) -> None:
    """Đăng ký webhook Zalo Bot (URL công khai tới /webhooks/zalo-bot)."""
    _run_channel("zalo_bot", "NQ57_ZALO_BOT_TOKEN", "set-webhook", url)
    out.print(f"Đã đặt webhook Zalo Bot: {url}")


@zalo_app.command("poll")
def zalo_poll() -> None:
    """Chạy Zalo Bot bằng getUpdates (phát triển cục bộ; xóa webhook trước)."""
    _run_channel("zalo_bot", "NQ57_ZALO_BOT_TOKEN", "poll")


if __name__ == "__main__":
    main()
