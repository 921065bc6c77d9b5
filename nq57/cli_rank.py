"""`nq57 rerank …`: refit the learned order of retrieved passages from the question bank."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

rank_app = typer.Typer(help="Thứ tự xếp hạng đã học (learning to rank).", no_args_is_help=True)


@rank_app.command("train")
def rerank_train(
    bank: Annotated[Path, typer.Option(help="Thư mục ngân hàng câu hỏi (*.jsonl).")] = Path(
        "corpus/questions"
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Tệp mô hình (mặc định retrieval/models/ranker.json)."),
    ] = None,
) -> None:
    """Huấn luyện lại bộ xếp hạng từ ngân hàng câu hỏi và gold dev; ghi tham số dạng JSON."""
    from evals.train_gate import bank_files
    from evals.train_rank import load_bank_items, load_dev_items, train, training_digest
    from ingest.embed import EmbedderError
    from ingest.store import StoreError
    from nq57.cli import _fail, _settings, console
    from retrieval.learned_rank import RANKER_MODEL
    from retrieval.search import Retriever

    files = bank_files(bank)
    if not files:
        _fail(f"không có tệp *.jsonl trong {bank}")
    try:
        items = load_bank_items(files) + load_dev_items()
    except ValueError as exc:
        _fail(str(exc))
    try:
        # Features do not depend on the model being refitted (nor on a stale one).
        retriever = Retriever(_settings().model_copy(update={"learned_rank": False}))
    except (StoreError, EmbedderError) as exc:
        _fail(str(exc))

    def progress(done: int, total: int) -> None:
        if done % 200 == 0 or done == total:
            console.print(f"{done}/{total}")

    try:
        report = train(retriever, items, training_digest(files), out or RANKER_MODEL, progress)
    except ValueError as exc:
        _fail(str(exc))
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
