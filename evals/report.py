"""Evaluation reports: report.md, a self-contained report.html, results.json and chart PNGs."""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, never a display
import matplotlib.pyplot as plt

from .runner import RunResult, machine_info

# (key in a metrics dict, column title). hit@k / recall@k columns are inserted for the run's k.
_PCT = "pct"
_MS = "ms"
_INT = "int"

GROUP_TITLES = {"style": "Theo kiểu câu hỏi", "persona": "Theo đối tượng", "doc": "Theo văn bản"}


def _columns(k: int) -> list[tuple[str, str, str]]:
    return [
        ("n", "n", _INT),
        ("errors", "lỗi", _INT),
        ("hit@1", "hit@1", _PCT),
        (f"hit@{k}", f"hit@{k}", _PCT),
        ("hit@10", "hit@10", _PCT),
        (f"recall@{k}", f"recall@{k}", _PCT),
        ("mrr@10", "MRR@10", _PCT),
        ("citation_accuracy", "trích dẫn đúng", _PCT),
        ("fact_coverage", "ý đúng", _PCT),
        ("abstention_precision", "từ chối P", _PCT),
        ("abstention_recall", "từ chối R", _PCT),
        ("false_abstention", "từ chối sai", _PCT),
        ("intent_accuracy", "ý định đúng", _PCT),
        ("retrieval_p50_ms", "tìm p50 ms", _MS),
        ("retrieval_p95_ms", "tìm p95 ms", _MS),
        ("answer_p50_ms", "trả lời p50 ms", _MS),
        ("answer_p95_ms", "trả lời p95 ms", _MS),
    ]


def fmt(value: Any, kind: str = _PCT) -> str:
    if value is None:
        return "–"
    if kind == _PCT:
        return f"{value:.3f}"
    if kind == _MS:
        return f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def _rows(summary: Mapping[str, Any], k: int) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Tables as (title, [(label, cells)]) for the overall figures and every group."""
    cols = _columns(k)
    cells = lambda m: [fmt(m.get(key), kind) for key, _, kind in cols]  # noqa: E731
    tables = [("Tổng thể", [("tất cả", cells(summary["overall"]))])]
    for key, groups in summary.items():
        if key.startswith("by_") and isinstance(groups, Mapping):
            dim = key[3:]
            title = GROUP_TITLES.get(dim, dim)
            tables.append((title, [(name, cells(m)) for name, m in groups.items()]))
    return tables


# ---------------------------------------------------------------- failures


def failures(results_json: Mapping[str, Any], top: int = 5) -> list[dict]:
    """Failed items with what was expected, retrieved (top 5) and answered, and why."""
    out = []
    for rec in results_json.get("items", []):
        if rec.get("passed", not rec.get("reasons")):
            continue
        out.append(
            {
                "id": rec.get("id"),
                "question": rec.get("question", ""),
                "style": rec.get("style"),
                "persona": rec.get("persona"),
                "answerable": rec.get("answerable"),
                "expected_sources": rec.get("expected_sources", []),
                "answer_facts": rec.get("answer_facts", []),
                "retrieved": [
                    {
                        "rank": h.get("rank", i),
                        "doc": h.get("doc", ""),
                        "locator": h.get("locator", ""),
                        "start": _first_words(h.get("text", "")),
                    }
                    for i, h in enumerate(rec.get("retrieved", [])[:top], start=1)
                ],
                "hit_rank": rec.get("hit_rank"),
                "answer": rec.get("answer", ""),
                "intent": rec.get("intent"),
                "abstained": rec.get("abstained"),
                "citations": [
                    {"doc": c.get("doc", ""), "locator": c.get("locator", "")}
                    for c in rec.get("citations", [])
                ],
                "error": rec.get("error"),
                "reasons": rec.get("reasons", []),
            }
        )
    return out


def _first_words(text: str, n: int = 12) -> str:
    parts = str(text).split()
    return " ".join(parts[:n]) + (" …" if len(parts) > n else "")


def render_failures(fails: Sequence[Mapping[str, Any]], markup: bool = False) -> str:
    """Plain text, one block per failed item. ``markup=True`` adds escaped rich markup."""
    if markup:
        from rich.markup import escape
    else:

        def escape(s: str) -> str:
            return s

    def bold(s: str) -> str:
        return f"[bold]{escape(s)}[/bold]" if markup else s

    if not fails:
        return "Không có câu nào trượt."
    lines = [f"{len(fails)} câu trượt"]
    for f in fails:
        lines.append("")
        head = f"{f['id']} [{f.get('style')}/{f.get('persona')}]"
        lines.append(bold(head) + " " + escape(str(f.get("question", ""))))
        for reason in f.get("reasons", []):
            lines.append("  ✗ " + escape(reason))
        for s in f.get("expected_sources", []):
            lines.append(
                f"  mong đợi: {escape(s['doc'])} {escape(s.get('section', ''))} — "
                f"«{escape(_first_words(s.get('quote', ''), 16))}»"
            )
        if f.get("answer_facts"):
            lines.append("  ý cần có: " + escape("; ".join(f["answer_facts"])))
        for h in f.get("retrieved", []):
            lines.append(
                f"  #{h['rank']} {escape(h['doc'])} {escape(h['locator'])}: {escape(h['start'])}"
            )
        answer = _first_words(f.get("answer") or "", 40)
        lines.append(
            f"  trả lời ({escape(str(f.get('intent')))}"
            f"{', từ chối' if f.get('abstained') else ''}): {escape(answer)}"
        )
        if f.get("citations"):
            cites = ", ".join(f"{c['doc']} {c['locator']}" for c in f["citations"])
            lines.append("  trích dẫn: " + escape(cites))
    return "\n".join(lines)


# ---------------------------------------------------------------- charts


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
    return path


def chart_by_style(summary: Mapping[str, Any], k: int, path: Path) -> Path:
    styles = summary.get("by_style", {})
    names = list(styles)
    series = [
        (f"hit@{k}", f"hit@{k}"),
        ("citation_accuracy", "trích dẫn đúng"),
        ("fact_coverage", "ý đúng"),
    ]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(series)
    for i, (key, label) in enumerate(series):
        values = [styles[n].get(key) or 0.0 for n in names]
        xs = [x + (i - 1) * width for x in range(len(names))]
        ax.bar(xs, values, width, label=label)
    ax.set_xticks(range(len(names)), names, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title("Theo kiểu câu hỏi")
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def chart_latency(run: RunResult, path: Path, cores: int | None) -> Path:
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ok = [r for r in run.items if r.run.error is None]
    ax.hist(
        [[r.run.retrieval_ms for r in ok], [r.run.answer_ms for r in ok]],
        bins=20,
        label=["tìm kiếm", "trả lời"],
    )
    ax.set_xlabel("ms")
    ax.set_ylabel("số câu")
    ax.set_title(f"Độ trễ ({cores} lõi CPU)")
    ax.legend(fontsize=8)
    return _save(fig, path)


def chart_abstention(confusion: Mapping[str, int], path: Path) -> Path:
    matrix = [
        [confusion.get("tn", 0), confusion.get("fp", 0)],
        [confusion.get("fn", 0), confusion.get("tp", 0)],
    ]
    fig, ax = plt.subplots(figsize=(4, 3.4))
    ax.imshow(matrix, cmap="Blues", vmin=0)
    top = max(max(row) for row in matrix) or 1
    for i in range(2):
        for j in range(2):
            colour = "white" if matrix[i][j] > top / 2 else "black"
            ax.text(j, i, str(matrix[i][j]), ha="center", va="center", fontsize=14, color=colour)
    ax.set_xticks([0, 1], ["trả lời", "từ chối"])
    ax.set_yticks([0, 1], ["có đáp án", "không đáp án"])
    ax.set_xlabel("hệ thống")
    ax.set_ylabel("bộ vàng")
    ax.set_title("Từ chối trả lời")
    return _save(fig, path)


# ---------------------------------------------------------------- ALQAC


def alqac_rows(alqac: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """Accept one result ``{n, acc_at_1, ...}`` or a mapping of variant name → result."""
    if "acc_at_1" in alqac:
        return [("nq57", dict(alqac))]
    return [(str(name), dict(v)) for name, v in alqac.items() if isinstance(v, Mapping)]


ALQAC_COLS = [("n", _INT), ("acc_at_1", _PCT), ("recall_at_10", _PCT), ("mrr_at_10", _PCT)]


# ---------------------------------------------------------------- markdown


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def esc(s: str) -> str:
        return str(s).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(esc(h) for h in header) + " |"]
    out.append("|" + "|".join("---" for _ in header) + "|")
    out.extend("| " + " | ".join(esc(c) for c in row) + " |" for row in rows)
    return out


def render_markdown(
    run: RunResult, alqac: Mapping | None, machine: Mapping, charts: Mapping[str, Path]
) -> str:
    k = run.k
    header = ["nhóm"] + [title for _, title, _ in _columns(k)]
    o = run.summary["overall"]
    lines = [
        "# Báo cáo đánh giá nq57",
        "",
        f"- Thời điểm: {run.started_at}; backend: {run.backend}; {o['n']} câu "
        f"({o['n_answerable']} có đáp án, {o['n_unanswerable']} không), k = {k}",
        f"- Máy: {machine.get('cpu_count')} lõi CPU (os.cpu_count()), "
        f"{machine.get('platform', '')}, Python {machine.get('python', '')}",
        f"- Độ trễ trả lời p50/p95: {fmt(o.get('answer_p50_ms'), _MS)} / "
        f"{fmt(o.get('answer_p95_ms'), _MS)} ms trên {machine.get('cpu_count')} lõi; "
        f"tìm kiếm p50/p95: {fmt(o.get('retrieval_p50_ms'), _MS)} / "
        f"{fmt(o.get('retrieval_p95_ms'), _MS)} ms",
        "",
    ]
    for title, rows in _rows(run.summary, k):
        lines += [f"## {title}", ""]
        lines += _md_table(header, [[label, *cells] for label, cells in rows])
        lines.append("")
    if run.judged:
        lines += _judged_md(run.judged)
    if alqac:
        lines += ["## ALQAC (truy hồi)", ""]
        lines += _md_table(
            ["biến thể", *[c for c, _ in ALQAC_COLS]],
            [
                [name, *[fmt(v.get(c), kind) for c, kind in ALQAC_COLS]]
                for name, v in alqac_rows(alqac)
            ],
        )
        lines.append("")
    lines += ["## Biểu đồ", ""]
    lines += [f"![{name}]({path.name})" for name, path in charts.items()]
    lines += ["", "## Câu trượt", ""]
    fails = failures(run.to_json())
    if not fails:
        lines.append("Không có câu nào trượt.")
    for f in fails:
        lines.append(f"- **{f['id']}** ({f['style']}/{f['persona']}) {f['question']}")
        lines.extend(f"  - {r}" for r in f["reasons"])
    lines.append("")
    return "\n".join(lines)


def _judged_md(judged: Mapping[str, Any]) -> list[str]:
    return [
        "## Chấm bởi mô hình ngôn ngữ (judged by a model)",
        "",
        f"Mô hình: {judged.get('model')}; {judged.get('n')} câu đã trả lời được chấm. "
        "Các số này do một mô hình đánh giá, không phải đo trực tiếp.",
        "",
        *_md_table(
            ["faithfulness", "answer_relevance"],
            [[fmt(judged.get("faithfulness")), fmt(judged.get("answer_relevance"))]],
        ),
        "",
    ]


# ---------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#f0f3f7}
.fail{border-left:3px solid #c0392b;padding-left:.75rem;margin:.75rem 0}
.fail .r{color:#c0392b}.muted{color:#666}.judged{background:#fff8e1;padding:.5rem}
img{max-width:100%}
"""


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(
    run: RunResult, alqac: Mapping | None, machine: Mapping, charts: Mapping[str, Path]
) -> str:
    e = html.escape
    k = run.k
    o = run.summary["overall"]
    header = ["nhóm"] + [title for _, title, _ in _columns(k)]
    parts = [
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>",
        "<title>Báo cáo đánh giá nq57</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Báo cáo đánh giá nq57</h1>",
        f"<p class='muted'>{e(run.started_at)} · backend {e(run.backend)} · {o['n']} câu "
        f"({o['n_answerable']} có đáp án, {o['n_unanswerable']} không) · k = {k}</p>",
        f"<p>Máy: <b>{e(str(machine.get('cpu_count')))} lõi CPU</b> · "
        f"{e(str(machine.get('platform', '')))} · Python {e(str(machine.get('python', '')))}"
        f"<br>Độ trễ trả lời p50/p95: {fmt(o.get('answer_p50_ms'), _MS)} / "
        f"{fmt(o.get('answer_p95_ms'), _MS)} ms; tìm kiếm p50/p95: "
        f"{fmt(o.get('retrieval_p50_ms'), _MS)} / {fmt(o.get('retrieval_p95_ms'), _MS)} ms</p>",
    ]
    for title, rows in _rows(run.summary, k):
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append(_html_table(header, [[label, *cells] for label, cells in rows]))
    if run.judged:
        j = run.judged
        parts.append("<h2>Chấm bởi mô hình ngôn ngữ (judged by a model)</h2><div class='judged'>")
        parts.append(
            f"<p>Mô hình: {e(str(j.get('model')))}; {e(str(j.get('n')))} câu đã trả lời được "
            "chấm. Các số này do một mô hình đánh giá, không phải đo trực tiếp.</p>"
        )
        parts.append(
            _html_table(
                ["faithfulness", "answer_relevance"],
                [[fmt(j.get("faithfulness")), fmt(j.get("answer_relevance"))]],
            )
        )
        parts.append("</div>")
    if alqac:
        parts.append("<h2>ALQAC (truy hồi)</h2>")
        parts.append(
            _html_table(
                ["biến thể", *[c for c, _ in ALQAC_COLS]],
                [
                    [name, *[fmt(v.get(c), kind) for c, kind in ALQAC_COLS]]
                    for name, v in alqac_rows(alqac)
                ],
            )
        )
    parts.append("<h2>Biểu đồ</h2>")
    for name, path in charts.items():
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f"<p><img alt='{e(name)}' src=\"data:image/png;base64,{data}\"></p>")
    fails = failures(run.to_json())
    parts.append(f"<h2>Câu trượt ({len(fails)})</h2>")
    if not fails:
        parts.append("<p>Không có câu nào trượt.</p>")
    for f in fails:
        parts.append("<div class='fail'>")
        parts.append(
            f"<p><b>{e(str(f['id']))}</b> <span class='muted'>{e(str(f['style']))}/"
            f"{e(str(f['persona']))}</span> {e(f['question'])}</p><ul>"
        )
        parts.extend(f"<li class='r'>{e(r)}</li>" for r in f["reasons"])
        parts.extend(
            f"<li>mong đợi: {e(s['doc'])} {e(s.get('section', ''))} — «{e(s.get('quote', ''))}»</li>"
            for s in f["expected_sources"]
        )
        parts.extend(
            f"<li class='muted'>#{h['rank']} {e(h['doc'])} {e(h['locator'])}: {e(h['start'])}</li>"
            for h in f["retrieved"]
        )
        parts.append(f"<li>trả lời ({e(str(f['intent']))}): {e(f['answer'] or '')}</li></ul></div>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------- entry point


def write_report(
    run: RunResult,
    out_dir: Path,
    alqac: dict | None = None,
    machine: dict | None = None,
) -> dict:
    """Write every report file into ``out_dir``; return ``{"summary", "files"}``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    machine = {**machine_info(), **run.machine, **(machine or {})}
    machine.setdefault("cpu_count", os.cpu_count())
    charts = {
        "by_style": chart_by_style(run.summary, run.k, out_dir / "chart_by_style.png"),
        "latency": chart_latency(run, out_dir / "chart_latency.png", machine.get("cpu_count")),
        "abstention": chart_abstention(
            run.summary["overall"]["confusion"], out_dir / "chart_abstention.png"
        ),
    }
    results = run.to_json()
    results["machine"] = machine
    if alqac:
        results["alqac"] = alqac
    files = {
        "results": out_dir / "results.json",
        "markdown": out_dir / "report.md",
        "html": out_dir / "report.html",
        **{f"chart_{name}": path for name, path in charts.items()},
    }
    files["results"].write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    files["markdown"].write_text(render_markdown(run, alqac, machine, charts), encoding="utf-8")
    files["html"].write_text(render_html(run, alqac, machine, charts), encoding="utf-8")
    return {
        "summary": run.summary,
        "machine": machine,
        "files": {name: str(path) for name, path in files.items()},
    }
