"""`nq57 gate …`: rebuild the answerability gate and the policy model from the question bank."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

gate_app = typer.Typer(
    help="Bộ quyết định trả lời / từ chối (gate, chính sách).", no_args_is_help=True
)

ALQAC_TRAIN = Path("../shared/datasets/alqac2023/train.json")


@gate_app.command("train")
def gate_train(
    bank: Annotated[Path, typer.Option(help="Thư mục ngân hàng câu hỏi (*.jsonl).")] = Path(
        "corpus/questions"
    ),
    alqac: Annotated[
        Path, typer.Option(help="Câu hỏi ALQAC dùng làm câu hỏi ngoài kho (không commit).")
    ] = ALQAC_TRAIN,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Nơi ghi mô hình (mặc định bot/models).")
    ] = None,
    samples: Annotated[
        Path | None,
        typer.Option(
            help="Tệp đặc trưng của các câu hỏi: ghi ở lần chạy đầu, đọc lại ở các lần sau "
            "(cùng ngân hàng câu hỏi và cùng mã nguồn) để thử ngưỡng mà không tìm kiếm lại."
        ),
    ] = None,
) -> None:
    """Huấn luyện lại gate và mô hình chính sách; ghi tham số dạng JSON."""
    from bot.answerability import GATE_MODEL
    from evals.train_gate import (
        GOLD_DEV,
        bank_digest,
        bank_files,
        load_alqac_questions,
        load_bank,
        load_gold_items,
        train,
    )
    from ingest.embed import EmbedderError
    from ingest.store import StoreError
    from nq57.cli import _fail, _settings, console
    from retrieval.search import Retriever

    files = bank_files(bank)
    if not files:
        _fail(f"không có tệp *.jsonl trong {bank}")
    if not alqac.is_file():
        _fail(f"không tìm thấy {alqac}")
    try:
        retriever = Retriever(_settings())
    except (StoreError, EmbedderError) as exc:
        _fail(str(exc))
    items = load_bank(files) + load_gold_items()
    others = load_alqac_questions(alqac)
    target = out_dir or GATE_MODEL.parent
    target.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            console.print(f"{done}/{total}")

    report = train(
        retriever,
        items,
        others,
        bank_digest([*files, GOLD_DEV]),
        target,
        progress=progress,
        samples_file=samples,
    )
    sys.stdout.write(
        json.dumps({"gate": report.gate, "policy": report.policy}, ensure_ascii=False, indent=2)
        + "\n"
    )
