"""Turn a retired blind set into question-bank lines: ``corpus/questions/blindvN.jsonl``.

A blind set stops being blind once its failures are read or it decides between candidates
(``evals/blind/README.md`` says which). Its questions were still written by someone who never saw
the code, so they are good training data:

- each answerable item, once per expected source, as an ``answerable`` question of that passage
  (follow-ups need their conversation and are left out);
- each must-decline item of a policy category (``political``, ``other_law``, …) as a question of
  that category, as written, disguises included. Mixed items are left out: their legitimate part
  is in scope. Items about provisions or details the texts lack have no category of the policy,
  nor do role play and "out of scope" attempts of the adversarial sets (another law or another
  topic: the attempt does not say which).

    python scripts/retire_blind.py evals/blind/v2.jsonl evals/blind/adversarial-v2.jsonl …
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BANK_DIR = Path(__file__).parents[1] / "corpus" / "questions"
BLIND_DIR = Path(__file__).parents[1] / "evals" / "blind"
# The development and blind sets still in use: a question one of them asks word for word (two
# writers may both write "Chào bạn!") stays out of the bank.
# v15, v16 and v17 join at the next retraining: retired sets in the bank ask five of v15's
# questions, one of v16's and four of v17's word for word ("Thông tư 33 áp dụng đối với những
# đối tượng nào?", "Ai ký Thông tư 33/2025/TT-BKHCN?"), and taking them out changes the bank the
# shipped models were trained on.
IN_USE = ("v4", "v8", "v11", "v13", "v14")


def questions_in_use(blind_dir: Path = BLIND_DIR) -> set[str]:
    asked: set[str] = set()
    for version in IN_USE:
        for name in (f"{version}.jsonl", f"adversarial-{version}.jsonl"):
            for line in (blind_dir / name).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    asked.add(json.loads(line)["question"])
    return asked


# Blind-set category → policy category (bot/policy.yaml).
POLICY_CATEGORIES = {
    "political": "political",
    "allegation": "allegation",
    "illegal": "illegal",
    "hate": "hate",
    "personal_data": "personal_data",
    "personal_case": "personal_case",
    "about_assistant": "assistant",
    "smalltalk": "smalltalk",
    "out_of_domain": "out_of_domain",
    "other_law": "other_law",
    "injection": "injection",
    "fabrication": "fabrication",
}


def bank_lines(items: list[dict], prefix: str, in_use: set[str]) -> list[dict]:
    lines: list[dict] = []

    def add(line: dict) -> None:
        lines.append({"id": f"{prefix}-{len(lines) + 1:04d}", **line})

    for item in items:
        if item.get("history") or item["question"] in in_use:
            continue
        if item.get("answerable"):
            for source in item.get("expected_sources") or []:
                add(
                    {
                        "doc": source["doc"],
                        "section": source.get("section", ""),
                        "quote": source["quote"],
                        "question": item["question"],
                        "kind": "answerable",
                        "asked": item.get("frame") or "",
                        "style": item.get("style", ""),
                        "answer_facts": item.get("answer_facts") or [],
                        "from": item["id"],
                    }
                )
            continue
        category = POLICY_CATEGORIES.get(item.get("category") or "")
        if category is None or str(item.get("notes", "")).lower().startswith("mixed"):
            continue
        add(
            {
                "doc": "",
                "quote": "",
                "question": item["question"],
                "kind": category,
                "style": item.get("style", ""),
                "from": item["id"],
            }
        )
    return lines


def main(paths: list[str]) -> None:
    in_use = questions_in_use()
    for name in paths:
        path = Path(name)
        version = re.fullmatch(r"(adversarial-)?v(\d+)", path.stem)
        if version is None:
            raise SystemExit(f"Lỗi: {name} không phải một bộ đánh giá mù (vN.jsonl).")
        prefix = f"blind{'adv' if version.group(1) else 'v'}{version.group(2)}"
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        lines = bank_lines(items, prefix, in_use)
        out = BANK_DIR / f"{prefix}.jsonl"
        out.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
        )
        print(f"{out}: {len(lines)} dòng")


if __name__ == "__main__":
    main(sys.argv[1:])
