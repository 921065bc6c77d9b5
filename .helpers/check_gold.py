import json, sys, re, unicodedata
from collections import Counter
from pathlib import Path
DOCS = Path("/work/main/corpus/docs")
STYLES = {"accented","unaccented","paraphrase","colloquial","exact_wording","followup"}
PERSONAS = {"citizen","business","official","student"}
def key(t): return " ".join(unicodedata.normalize("NFC", t).lower().split())
texts = {p.name: key(p.read_text("utf-8")) for p in DOCS.glob("*.txt")}
def fold(t): return "".join(c for c in unicodedata.normalize("NFD", t) if unicodedata.category(c) != "Mn").replace("đ","d").replace("Đ","D")
problems = 0; styles = Counter(); personas = Counter(); docs = Counter(); n = 0; ids = set()
for f in sys.argv[1:]:
    for i, line in enumerate(Path(f).read_text("utf-8").splitlines(), 1):
        if not line.strip(): continue
        where = f"{f}:{i}"
        try: it = json.loads(line)
        except Exception as e: print(where, "bad json", e); problems += 1; continue
        n += 1
        def bad(msg):
            global problems; problems += 1; print(where, it.get("id"), msg)
        if it.get("id") in ids: bad("duplicate id")
        ids.add(it.get("id"))
        extra = set(it) - {"id","question","persona","style","history","expected_sources","answer_facts","answerable","notes"}
        if extra: bad(f"unknown fields {extra}")
        if it.get("style") not in STYLES: bad("style")
        if it.get("persona") not in PERSONAS: bad("persona")
        styles[it.get("style")] += 1; personas[it.get("persona")] += 1
        if it.get("style") == "followup" and not it.get("history"): bad("followup without history")
        if it.get("style") == "unaccented" and fold(it["question"]) != it["question"]: bad("unaccented question has diacritics")
        for t in it.get("history", []):
            if set(t) != {"role","content"} or t["role"] not in ("user","assistant"): bad("history turn")
        if it.get("answerable"):
            if not it.get("expected_sources"): bad("answerable without sources")
            for s in it.get("expected_sources", []):
                docs[s.get("doc")] += 1
                if s.get("doc") not in texts: bad(f"unknown doc {s.get('doc')}"); continue
                w = len(s["quote"].split())
                if not 8 <= w <= 30: bad(f"quote has {w} words")
                if key(s["quote"]) not in texts[s["doc"]]: bad(f"quote not verbatim in {s['doc']}: {s['quote'][:60]}")
                if not s.get("section"): bad("no section")
            for fact in it.get("answer_facts", []):
                if not any(key(fact) in texts.get(s["doc"], "") for s in it["expected_sources"]): bad(f"fact not in its documents: {fact}")
        else:
            if it.get("expected_sources") or it.get("answer_facts"): bad("unanswerable with sources/facts")
print(f"{n} items, {problems} problems"); print("styles", dict(styles)); print("personas", dict(personas)); print("docs", dict(docs))
