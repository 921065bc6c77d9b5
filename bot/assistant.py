"""The assistant: message in, grounded `Answer` out. Read `ask` top to bottom."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.answer import Answer, Turn
from bot.answerability import (
    GATE_MODEL,
    AnswerabilityGate,
    GateModel,
    Verdict,
    detail_group,
    evidence_of,
)
from bot.card_verdict import card_verdict
from bot.cards import Card, render_card, render_citing, render_comparison, render_listing
from bot.claims import (
    asked_part,
    asks_if_claim_holds,
    builds_on_claim,
    contradicted,
    correction_of,
    verdict,
)
from bot.compose import ExtractiveComposer, doc_label
from bot.counts import asks_count, count_rows, render_count
from bot.followup import resolve, resolve_with_focus
from bot.intents import EXAMPLE_QUESTIONS, classify, policy_rule
from bot.normalize import deobfuscate
from bot.outline import outline
from bot.policy import (
    ASIDE_MIN_WORDS,
    HARMFUL,
    Category,
    PolicyDecision,
    build_router,
    clauses,
)
from bot.provisions import clearly_absent, missing_provision_reply
from bot.quotations import QUOTE_NOT_FOUND, holds, quoted_sentences, quoted_terms, uses_term
from bot.safety import check_length, redact, sanitize
from ingest.chunk import RECORD_KINDS
from ingest.model import DocumentMeta
from nq57.legal import SECTION_CONCEPT, law_provision
from nq57.settings import Settings
from nq57.text import dates_in, fold
from retrieval.about import (
    asks_citing,
    asks_listing,
    asks_order,
    asks_signer,
    asks_what,
    card_fields,
    compared_fields,
    mentions,
    superlative,
)
from retrieval.describe import strip_description, without_qualifier
from retrieval.frame import Frame, frame_of
from retrieval.query import RECORD_ASKED, AnalyzedQuery, DocRef, analyze_query
from retrieval.search import Retriever, SearchResult
from retrieval.terms import without_document_names
from retrieval.types import Hit

log = logging.getLogger("nq57.bot")

WHICH_DOCUMENT = (
    "Bạn muốn hỏi về văn bản nào? Hãy nêu tên hoặc số văn bản, ví dụ: "
    "«Ai ký Quyết định 1169?», «Thông tư 33/2025 do cơ quan nào ban hành?»."
)
# Questions that ask for a list or an overview: a matched heading's items answer them.
BROAD = frozenset({"list", "what_is", "other", "how", "summary"})
# Topics the texts never cover: a question about one is declined even beside a document's name.
ELSEWHERE = frozenset({"out_of_domain"})
# What one request of a message may be declined for while another is answered.
PARTLY = frozenset({"personal_case", "out_of_domain", "other_law"})
PARTLY_DECLINED = "Phần còn lại của câu hỏi tôi không trả lời: "
_TAKES_EFFECT = re.compile(r"\bhieu luc\b")
# A document number as the catalog's notes write it ("Nghị quyết 71/NQ-CP"), and the words of a
# line that says one text amends or replaces another.
_NUMBERED = re.compile(r"\b\d+(?:/\d{4})?/[A-ZĐ][\w/-]*")
_AMENDING = re.compile(r"sửa đổi|bổ sung|thay thế", re.IGNORECASE)

# Declines never repeat the user's words: the assistant speaks with the State's documents.
NOT_FOUND = (
    "Các văn bản hiện có (Nghị quyết 57-NQ/TW và các văn bản triển khai) không có nội dung trả "
    "lời câu hỏi này, nên tôi không trích dẫn để tránh hiểu sai. Bạn có thể hỏi cụ thể hơn về "
    "nội dung các văn bản, hoặc tra cứu thêm trên Cổng thông tin điện tử Chính phủ (chinhphu.vn) "
    "và Cơ sở dữ liệu quốc gia về văn bản pháp luật (vbpl.vn)."
)
# A record's name in a reply: "Phần chữ ký của …", "… không kèm phần nơi nhận".
_RECORD_PART = {"signature": "chữ ký", "recipients": "nơi nhận"}
BUILT_ON_CLAIM = (
    "Câu hỏi dựa trên thông tin không đúng với văn bản, nên các văn bản không có nội dung trả "
    "lời phần hỏi tiếp theo."
)
RELATED = (
    "Các văn bản hiện có không quy định {detail} cho nội dung bạn hỏi. "
    "Quy định liên quan gần nhất (để tham khảo, không phải câu trả lời):"
)


class Assistant:
    def __init__(self, settings: Settings, retriever: Retriever, llm: Any = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.stats = retriever.stats
        model = GateModel.load()
        if model is None:
            raise RuntimeError(f"{GATE_MODEL}: missing or stale; rebuild it with `nq57 gate train`")
        self.gate = AnswerabilityGate(model)
        self.policy = build_router(retriever)
        # Two quotes at most: the answer, and what completes it; the sources link the rest.
        self.composer = ExtractiveComposer(self.stats, max_quotes=2, rank_penalty=0.12)
        self.llm = llm

    # ------------------------------------------------------------------ answer
    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        started = time.perf_counter()
        answer, _ = self._answer(message, list(history or []))
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def _answer(
        self, message: str, history: list[Turn], use_llm: bool = True
    ) -> tuple[Answer, list[Hit]]:
        """The stages, in order: prepare → route (rules) → retrieve → route (policy, documents
        and provisions) → plan → compose. Each returns its answer when it ends the turn."""
        text, early = self._prepare(message)
        if early is not None:
            return early, []
        early = self._route_rules(text, history)
        if early is not None:
            return early, []
        turn = self._retrieve(text, history)
        if isinstance(turn, Answer):
            return turn, []
        answer = self._route(turn)
        if answer is None and (part := self._declined_part(turn)) is not None:
            # "NQ 57 đặt mục tiêu gì đến 2030? Công ty tôi nên đầu tư vào đâu?": the first
            # request is answered alone, and the reply says plainly the rest is not.
            kept, category = part
            answer, hits = self._answer(kept, history, use_llm)
            if not answer.abstained:
                answer.text = f"{answer.text}\n\n{PARTLY_DECLINED}{category.text}"
                answer.meta["declined_part"] = category.name
            return answer, hits
        answer = answer or self._plan(turn, history, use_llm)
        return self._with_meta(answer, turn.meta), turn.hits

    # ------------------------------------------------------------------ stages
    def _prepare(self, message: str) -> tuple[str, Answer | None]:
        """Invisible characters out, the length checked, disguises undone."""
        text = sanitize(message)
        too_long = check_length(text, self.settings.max_message_chars)
        if too_long:
            return text, Answer(too_long, "refused", True, meta={"reason": "too_long"})
        if not text:
            return text, Answer(
                "Bạn hãy nhập câu hỏi nhé.", "smalltalk", True, suggestions=EXAMPLE_QUESTIONS
            )
        # Every later stage reads the message with its disguises undone (from the message as
        # sent: the gaps between letter-spaced words tell where each word ends).
        return deobfuscate(message), None

    def _route_rules(self, text: str, history: list[Turn]) -> Answer | None:
        """The rules: injections, smalltalk, other topics, and the policy's backstops."""
        intent = classify(text, history)
        if intent.intent != "answer":
            log.info("intent=%s reason=%s", intent.intent, intent.reason)
            return self._decline(intent.reply or "", intent.intent, intent.reason)
        # A phone, id or email in the message: never looked up, kept or repeated.
        ruled = "personal_data" if redact(text) != text else policy_rule(text)
        if ruled is None:
            return None
        category = self.policy.policy.categories[ruled]
        return self._decline(category.text, category.intent, f"rule:{ruled}")

    def _retrieve(self, text: str, history: list[Turn]) -> TurnState | Answer:
        """The question resolved against the conversation, and the passages found for it."""
        question, focus = resolve_with_focus(text, history)
        analyzed = self.retriever.analyze(question)
        missing = _unknown_documents(analyzed)
        # "Văn bản nào lấy Nghị quyết 71/NQ-CP làm căn cứ?" asks about the corpus, not NQ 71.
        if not (missing or analyzed.named_docs):
            # "khoản 1 Điều 23 Luật Đầu tư quy định gì?": a law the texts cite, not one they hold.
            missing = self._law_not_held(analyzed.restored)
        if missing and not asks_citing(question):
            reply = MISSING_DOCUMENT.format(docs=missing)
            return self._decline(reply, "out_of_scope", "document_not_in_corpus")
        context_docs = self._docs_in(history) if question != text else []
        result = self.retriever.run(question, k=8, doc_ids=context_docs, analyzed=analyzed)
        # The policy and claims are judged on what the user wrote now, not on a follow-up
        # rebuilt with our own words.
        said = result.query if question == text else self.retriever.analyze(text)
        meta: dict[str, Any] = {"question": redact(question), "retrieval_ms": round(result.ms, 2)}
        return TurnState(text, question, focus, said, result, meta)

    def _route(self, turn: TurnState) -> Answer | None:
        """Declines that need the passages: which document, the policy, absent provisions, quoted
        sentences the texts do not hold."""
        aq, result = turn.result.query, turn.result
        if aq.asks_record and not (result.direct or result.described or asks_listing(turn.text)):
            # "Ai ký vậy?" with no document named or in the conversation: ask which one. "Những
            # văn bản nào do Bộ Chính trị ban hành?" asks about the corpus: its list answers.
            return self._decline(WHICH_DOCUMENT, "answer", "which_document")
        # A question that points at a provision the corpus has is about that text, and a
        # follow-up's topic comes from the conversation ("còn Bộ Công an thì sao?"): their words
        # are judged only for what no legitimate question may carry ("Nghị quyết 57 do ai ban
        # hành? Cơ quan đó có đáng tin không?").
        only = HARMFUL if result.direct or turn.question != turn.text else None
        ruling = self._ruling(turn, only)
        # A question about the document itself ("tóm tắt Kết luận 69 giúp mình") has nothing
        # left once the name is gone: only a question about something else is judged so.
        about_itself = card_fields(strip_description(turn.said.expanded)) is not None
        if (
            ruling is None
            and only is None
            and turn.said.named_docs
            and aq.provision is None  # "Phần E Nghị quyết 20 viết gì?" is about that text
            and not (about_itself or self._defines(turn))
        ):
            # "Theo tinh thần Nghị quyết 57, giá iPhone 16 hiện nay là bao nhiêu?": a document's
            # name pulls any question toward the texts; without it, another topic shows.
            bare = " ".join(without_document_names(turn.said.restored).split())
            vector = self.retriever.query_vector(bare)
            ruling = self.policy.run(vector, self.retriever.closeness(vector), ELSEWHERE)
        if ruling is not None:
            log.info("policy=%s p=%.2f", ruling.category.name, ruling.probability)
            category = ruling.category
            said = turn.said.expanded
            figures = contradicted(said, turn.hits)
            checkable = quoted_sentences(turn.text) or (
                figures and (asks_if_claim_holds(said) or builds_on_claim(said, figures))
            )
            if category.name != "fabrication" or not checkable:
                return self._decline(category.text, category.intent, f"policy:{category.name}")
            # A fabricated quote is told so plainly below (the reply says what the texts lack
            # rather than what the question may be); a quoted sentence the texts hold is no
            # fabrication, and the question is answered from where it stands. Asked whether a
            # figure holds, or asked on top of it, the passages that contradict it correct it
            # in their own words ("Không đúng"); asked to write it, the policy declines.
        absent = self._absent_provision(aq, result.direct)
        if absent:
            return self._decline(absent, "answer", "provision_not_in_document")
        return self._unfound_quote(turn)

    def _plan(self, turn: TurnState, history: list[Turn], use_llm: bool) -> Answer:
        """The answer's shape: a document card, a record, a whole unit, or, when the gate finds
        the passages support the question, an outline or quotes."""
        aq, result, hits, meta = turn.result.query, turn.result, turn.hits, turn.meta
        about = self._about_documents(turn)
        if about is not None:
            meta.setdefault("plan", "card")
            return about
        if aq.asks_record in RECORD_ASKED and hits and hits[0].kind in RECORD_KINDS:
            return self._record(hits[0], aq.asks_record)
        counted = self._count(turn)
        if counted is not None:
            meta["plan"] = "count"
            return counted
        if aq.wants_verbatim and hits and aq.provision is not None and result.direct:
            unit = self.retriever.unit(hits[0].doc_id, hits[0].locator) or hits[:1]
            return self.composer.verbatim(unit)

        frame, verdict = self.judge(result)
        meta.update(
            coverage=round(verdict.coverage, 3),
            p_answer=round(verdict.probability, 3),
            frame=frame.attribute,
        )
        # A provision the user named, found, and asked about as a whole ("mục II.1 nói gì?"):
        # the unit itself is the answer, whatever the words around its name.
        named_unit = result.direct and aq.provision is not None and not frame.specific
        if not verdict.answer and not named_unit:
            if verdict.topic_present and hits:
                return self._related(result.wording, hits, frame, aq)
            return self._decline(NOT_FOUND, "answer", verdict.reason)
        # The unit named is where its answer is quoted from, not the other passages found.
        unit = self.retriever.unit(hits[0].doc_id, hits[0].locator) if named_unit else None
        answer = self._compose(turn, frame, unit)
        if self.llm is not None and use_llm:
            answer = self.llm.compose(turn.question, hits[:5], history, fallback=answer)
        return answer

    def _compose(self, turn: TurnState, frame: Frame, unit: list[Hit] | None = None) -> Answer:
        aq, hits = turn.result.query, unit or turn.hits
        figures = contradicted(turn.said.expanded, hits)
        correction = correction_of(figures)
        broad = frame.attribute in BROAD or (
            frame.attribute == "definition" and SECTION_CONCEPT.search(fold(aq.restored).lower())
        )
        named = aq.named_docs
        if broad and not correction:
            document = self.retriever.chunks(named[0]) if len(named) == 1 else []
            asked = without_qualifier(aq.restored)
            listed = outline(self.stats, asked, hits, self.retriever.unit, document)
            if listed is not None:
                turn.meta["plan"] = "outline"
                return listed
        answer = self.composer.compose(
            turn.result.wording,
            hits,
            correction=correction,
            docs=named if len(named) > 1 else None,
            accented=not aq.unaccented,
            focus=self.retriever.analyze(turn.focus).restored if turn.focus else None,
            about_document=bool(aq.asks_record),
            frame=frame,
            verdict=verdict(turn.said.expanded, correction, hits),
        )
        if correction and builds_on_claim(turn.said.expanded, figures):
            # "… TFP trên 65%. Giải thích vì sao chọn mức 65%": the texts say otherwise, so
            # what was asked on top of the figure has no answer in them; the quote corrects it.
            answer.text = f"{answer.text}\n\n{BUILT_ON_CLAIM}"
            return _unanswered(answer)
        return answer

    def _count(self, turn: TurnState) -> Answer | None:
        """ "Phụ lục I có bao nhiêu chỉ tiêu?": the number of the annex's last row."""
        ref, hits = turn.result.query.provision, turn.hits
        if ref is None or ref.annex is None or ref.row is not None or not asks_count(turn.text):
            return None
        docs = turn.result.query.named_docs or ([hits[0].doc_id] if turn.result.direct else [])
        if len(docs) != 1:
            return None
        found = count_rows(ref.annex, self.retriever.chunks(docs[0]))
        return render_count(found) if found else None

    def _record(self, head: Hit, asked: str) -> Answer:
        kind = RECORD_ASKED[asked]
        part = _RECORD_PART[kind]
        if head.kind == kind:
            return self.composer.verbatim([head], lead=f"Phần {part} của {doc_label(head)}:")
        # Some texts in the corpus come without their signature block or recipients' list: say
        # so, and show the header as what the text does hold, not as the answer.
        lead = f"Bản {doc_label(head)} trong kho không kèm phần {part}. Phần đầu văn bản ghi:"
        return _unanswered(self.composer.verbatim([head], lead=lead))

    def stream(self, message: str, history: list[Turn] | None = None) -> Iterator[dict]:
        started = time.perf_counter()
        history = list(history or [])
        # The extractive answer is the stream's fallback, so the model is asked only once.
        answer, hits = self._answer(message, history, use_llm=False)
        if self.llm is not None and answer.intent == "answer" and not answer.abstained and hits:
            fallback = answer
            for event in self.llm.stream(
                resolve(sanitize(message), history), hits[:5], history, fallback
            ):
                if event.get("type") == "answer":
                    event["answer"].latency_ms = round((time.perf_counter() - started) * 1000, 2)
                yield event
            return
        # Extractive answers are ready at once; send them in pieces so every client streams alike.
        for piece in re.findall(r"\S+\s*", answer.text):
            yield {"type": "delta", "text": piece}
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        yield {"type": "answer", "answer": answer}

    def judge(self, result: SearchResult) -> tuple[Frame, Verdict]:
        """What the question asks, and whether the passages found support it."""
        frame, ev = evidence_of(self.stats, result)
        return frame, self.gate.decide(ev, detail_group(frame), frame.unit)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _decline(text: str, intent: str, reason: str) -> Answer:
        return Answer(
            text,
            intent,  # type: ignore[arg-type]
            True,
            suggestions=list(EXAMPLE_QUESTIONS),
            meta={"reason": reason},
        )

    def _about_documents(self, turn: TurnState) -> Answer | None:
        """A question about a document itself gets its card; one about the corpus, the list."""
        text, aq, result = turn.text, turn.result.query, turn.result
        if aq.doc_refs and asks_citing(turn.question):
            return self._citing(aq.doc_refs[0], turn.question)
        if aq.provision is not None and not aq.provision.empty:
            return None
        named = aq.named_docs
        if not named and asks_listing(text):
            picked = self.retriever.profiles.filter(text)
            docs = picked or [m.id for m in self.retriever.catalog]
            cards = [c for c in (self._card(d) for d in docs) if c]
            # "Những quyết định nào do Phó Thủ tướng Nguyễn Chí Dũng ký?": the name closes the
            # signature block.
            asked_signer = [c for c in cards if c.signed_by(text)]
            if asked_signer:
                cards, picked = asked_signer, [c.meta.id for c in asked_signer]
            # "Văn bản nào có hiệu lực từ ngày 01/01/2026?": read from each text's own clause.
            effect = bool(_TAKES_EFFECT.search(fold(text).lower()))
            if effect and (when := dates_in(text)):
                cards = [c for c in cards if c.effect and when & dates_in(c.effect[1])]
                picked = [c.meta.id for c in cards]
            return render_listing(
                cards,
                filtered=bool(picked) and len(picked) < len(self.retriever.catalog),
                pick=superlative(text),
                signers=asks_signer(text) or bool(asked_signer),
                effect=effect,
            )
        # What the user wrote now, without the words that only describe a document.
        asked = strip_description(asked_part(turn.said.expanded))
        if len(named) >= 2 and (fields := compared_fields(asked)):
            cards = [c for c in (self._card(d) for d in named) if c]
            return render_comparison(cards, fields, order=asks_order(turn.text))
        docs = named or result.described
        if len(docs) != 1:
            return None
        meta = self.retriever.meta(docs[0])
        # Abbreviations spelled out: "phiên họp thứ mấy của ban chỉ đạo cp" uses title words.
        fields = card_fields(asked, meta.title if meta else "", described=not named)
        claim = asked_part(turn.text)
        if asks_if_claim_holds(claim) and (claimed := card_fields(claim, described=not named)):
            # "… do Quốc hội ban hành phải không?": the body or year is the claim checked, not
            # words that describe which document is meant.
            fields = claimed
        if fields == ("what",) and not asks_what(asked):
            # "Mục đích của Kế hoạch 3260 gồm những gì?" is answered by its section "Mục đích";
            # "Quyết định 1169 phê duyệt chương trình gì?" by the card.
            listed = outline(
                self.stats,
                without_qualifier(aq.restored),
                result.hits,
                self.retriever.unit,
                self.retriever.chunks(docs[0]),
            )
            if listed is not None:
                turn.meta["plan"] = "outline"
                return listed
        card = self._card(docs[0]) if fields else None
        if card is None or not fields:
            return None
        answer = render_card(card, fields, self._amended_in(card) if "amend" in fields else ())
        if said := card_verdict(card, turn.text, fields):
            # "Thông tư 32 do Bộ Công Thương ban hành đúng không?": the verdict, then the card.
            answer.text = f"{said}. {answer.text}"
            turn.meta["verdict"] = said
            if not asks_if_claim_holds(claim):
                # "… ban hành ngày 01/11/2013. Vậy đến nay được mấy năm?": built on a wrong date.
                answer.text = f"{answer.text}\n\n{BUILT_ON_CLAIM}"
                return _unanswered(answer)
        # "Ai ký Nghị quyết 57?" of a text kept without its signature block: not answered.
        return _unanswered(answer) if set(fields) <= card.missing() else answer

    def _citing(self, ref: DocRef, question: str) -> Answer:
        """The corpus's documents that name the document ``ref``, with the passage that does;
        only those of the type, issuer and month or year the question names besides ("trong
        tháng 01/2025, văn bản nào triển khai Nghị quyết 57?")."""
        meta = self.retriever.meta(ref.doc_id) if ref.doc_id else None
        number = meta.number if meta else ref.number or ""
        found = self._lines_naming(
            ref.doc_id, lambda ln: bool(mentions(ln, number, ref.type or ""))
        )
        fit = set(self.retriever.profiles.filter(without_document_names(question)))
        kept = [f for f in found if f[0].id in fit]
        name = meta.short_name if meta else f"{ref.type or 'văn bản'} {number}".strip()
        answer = render_citing(name, kept, held=meta is not None, filtered=len(kept) < len(found))
        answer.meta["plan"] = "listing"
        return answer

    def _law_not_held(self, question: str) -> str:
        """The title of a law whose provision the question asks about, when no document of the
        corpus bears that title, else ""."""
        law = law_provision(fold(question).lower(), question)
        named = (fold(f"{m.type} {m.title}").lower() for m in self.retriever.catalog)
        return (
            "" if law and any(fold(law).lower() in n for n in named) else law[:1].upper() + law[1:]
        )

    def _defines(self, turn: TurnState) -> bool:
        """ "Theo Thông tư 32, "die" là gì?": a term the named text uses is its own topic."""
        terms = quoted_terms(turn.text)
        if not terms:
            return False
        passages = [t for d in turn.said.named_docs for t in self.retriever.texts(d)]
        return any(uses_term(term, passages) for term in terms)

    def _amended_in(self, card: Card) -> list[tuple[DocumentMeta, Hit, str]]:
        """The lines of other documents that name what amended this one, and say so: "Căn cứ
        Nghị quyết số 71/NQ-CP … sửa đổi, bổ sung …"; the amending text may not be in the corpus."""
        numbers = _NUMBERED.findall(card.amendments() or "")
        return self._lines_naming(
            card.meta.id,
            lambda ln: bool(_AMENDING.search(ln)) and any(mentions(ln, n) for n in numbers),
        )

    def _lines_naming(
        self, doc_id: str | None, names: Callable[[str], bool]
    ) -> list[tuple[DocumentMeta, Hit, str]]:
        """For each document but ``doc_id``, its first line that ``names`` accepts, with the
        passage that holds it."""
        found = []
        for other in self.retriever.catalog:
            if other.id == doc_id:
                continue
            for hit in self.retriever.chunks(other.id):
                line = next((ln for ln in hit.text.split("\n") if names(ln)), None)
                if line is not None:
                    found.append((other, hit, line.strip()))
                    break
        return found

    def _card(self, doc_id: str) -> Card | None:
        meta = self.retriever.meta(doc_id)
        return Card.read(meta, self.retriever.chunks(doc_id)) if meta else None

    def _ruling(self, turn: TurnState, only: frozenset[str] | None = None) -> PolicyDecision | None:
        """The policy on the whole message, then on each of its requests: a forbidden one glued
        to a legitimate one is still forbidden. ``only``: the categories that may decline."""
        vector = self.retriever.query_vector(turn.said.restored)
        ruling = self.policy.run(vector, turn.result.dense_top, only)
        for request in self._requests(turn) if ruling is None else []:
            ruling = self.policy.judge(request.probs, HARMFUL)
            if ruling is not None:
                break
        return ruling

    def _requests(self, turn: TurnState) -> list[Request]:
        """The message's separate requests, each embedded and its closeness to the corpus
        measured once per turn: the policy reads them for the harmful categories, then for a
        request to decline by itself."""
        if turn.requests is None:
            turn.requests = []
            for part in clauses(turn.text):
                vector = self.retriever.query_vector(self.retriever.analyze(part).restored)
                probs = self.policy.probabilities(vector, self.retriever.closeness(vector))
                turn.requests.append(Request(part, probs))
        return turn.requests

    def _declined_part(self, turn: TurnState) -> tuple[str, Category] | None:
        """A request of the message the texts do not cover (a personal case, another law or
        topic) beside one they do: the requests to answer, and the category of the one not."""
        if turn.question != turn.text:
            return None  # a follow-up rebuilt with our own words is judged as a whole
        declined: Category | None = None
        kept = []
        for request in self._requests(turn):
            ruling = self.policy.judge(request.probs, PARTLY)
            if ruling is None and len(request.text.split()) >= ASIDE_MIN_WORDS:
                ruling = self.policy.aside(request.probs)
            if ruling is None:
                kept.append(request.text)
            elif declined is None:
                declined = ruling.category
        # What is kept must be a question of its own: "Tôi bị mất ngủ vì deadline chuyển đổi
        # số, nên uống thuốc gì?" tells its case first, and that is no request to answer.
        if declined is None or not kept or not all(_asks(p, turn.text) for p in kept):
            return None
        return " ".join(f"{p.rstrip('?. ')}?" for p in kept), declined

    def _absent_provision(self, aq: AnalyzedQuery, found: bool) -> str | None:
        """The reply for a provision the named document does not have, else None."""
        named = [r.doc_id for r in aq.doc_refs if r.doc_id]
        if aq.provision is None or aq.provision.empty or len(named) != 1:
            return None
        # A clause or point is found through the article that would hold it: the article's own
        # lines say whether it does.
        if found and aq.provision.clause is None:
            return None
        locators, texts = self.retriever.locators(named[0]), self.retriever.texts(named[0])
        if not clearly_absent(aq.provision, locators, texts):
            return None
        return missing_provision_reply(
            _doc_name(self.retriever, named[0]), aq.provision, locators, texts
        )

    def _unfound_quote(self, turn: TurnState) -> Answer | None:
        """The reply when the user quotes a sentence that neither the named documents nor the
        passages found hold, else None."""
        quotes = quoted_sentences(turn.text)
        if not quotes:
            return None
        named = turn.result.query.named_docs
        passages = [h.text for h in turn.hits]
        for doc_id in named:
            passages.extend(self.retriever.texts(doc_id))
        if all(holds(q, passages) for q in quotes):
            return None
        where = _doc_name(self.retriever, named[0]) if len(named) == 1 else "các văn bản hiện có"
        return self._decline(QUOTE_NOT_FOUND.format(where=where), "answer", "quote_not_in_texts")

    def _related(self, wording: str, hits: list[Hit], frame: Frame, aq: AnalyzedQuery) -> Answer:
        """The topic is in the texts, the detail asked is not: say so first, then show the
        nearest provision, marked as related."""
        shown = self.composer.compose(wording, hits[:2], accented=not aq.unaccented)
        for citation in shown.citations:
            citation.related = True
        lead = RELATED.format(detail=frame.label)
        shown.text = f"{lead}\n\n{shown.text}"
        shown.abstained = True
        shown.suggestions = list(EXAMPLE_QUESTIONS)
        shown.meta["reason"] = "detail_not_in_texts"
        return shown

    def _docs_in(self, history: list[Turn]) -> list[str]:
        """Documents named in the last turns, so a follow-up stays on the same text."""
        docs: list[str] = []
        for turn in history[-4:]:
            aq = analyze_query(turn.content, self.retriever.catalog, None)
            docs.extend(r.doc_id for r in aq.doc_refs if r.doc_id and r.doc_id not in docs)
        return docs

    @staticmethod
    def _with_meta(answer: Answer, meta: dict) -> Answer:
        answer.meta = meta | answer.meta
        return answer


def _asks(part: str, message: str) -> bool:
    """A request of ``message`` is a question: it ends on "?" where it was written, or asks
    for something (a number, a date, a list …)."""
    end = message.find(part) + len(part)
    return message[end : end + 2].lstrip().startswith("?") or frame_of(part).attribute != "other"


def _unanswered(answer: Answer) -> Answer:
    """A reply that says the text lacks what was asked: a decline, its quotes only related."""
    for citation in answer.citations:
        citation.related = True
    answer.abstained = True
    answer.suggestions = list(EXAMPLE_QUESTIONS)
    answer.meta["reason"] = "detail_not_in_texts"
    return answer


def _unknown_documents(aq: AnalyzedQuery) -> str:
    """Names of documents the question asks about that are not in the corpus: none is known, or
    the first one named, the question's subject ("Nghị quyết 71/NQ-CP sửa những gì của NQ 03?"),
    is not."""
    if not aq.doc_refs or aq.doc_refs[0].doc_id or not aq.doc_refs[0].number:
        return ""
    return ", ".join(
        f"{r.type or 'văn bản'} {r.number}".strip()
        for r in aq.doc_refs
        if r.number and not r.doc_id
    )


def _doc_name(retriever: Retriever, doc_id: str) -> str:
    meta = retriever.meta(doc_id)
    return meta.short_name if meta is not None else "Văn bản này"


MISSING_DOCUMENT = (
    "Văn bản {docs} chưa có trong kho văn bản của tôi, nên tôi không thể trả lời chính xác về nội dung "
    "của văn bản này. Bạn có thể tra cứu toàn văn trên Cơ sở dữ liệu quốc gia về văn bản pháp luật "
    "(vbpl.vn) hoặc Cổng thông tin điện tử Chính phủ (chinhphu.vn). Tôi trả lời được về Nghị quyết "
    "57-NQ/TW và các văn bản triển khai."
)


@dataclass
class TurnState:
    """What the stages of one turn share."""

    text: str  # the message as read (sanitised, disguises undone)
    question: str  # resolved against the conversation
    focus: str | None  # the user's new words when the question was rebuilt
    said: AnalyzedQuery  # the analysis of what the user wrote now
    result: SearchResult
    meta: dict[str, Any]
    requests: list[Request] | None = None  # the message's separate requests, once read

    @property
    def hits(self) -> list[Hit]:
        return self.result.hits


@dataclass(frozen=True)
class Request:
    """One request of a message of several, as the policy reads it."""

    text: str
    # The policy model's probabilities, from the request's embedding and how close the corpus
    # comes to it: computed once per turn.
    probs: dict[str, float]


@dataclass
class Runtime:
    """Everything `nq57 serve` and the CLI load once: the assistant, search and the documents."""

    settings: Settings
    retriever: Retriever
    assistant: Assistant

    def search(self, q: str, k: int = 10) -> list[Hit]:
        return self.retriever.search(q, k)

    def documents(self) -> dict:
        from ingest.pipeline import load_corpus

        if not hasattr(self, "_documents"):
            parsed, _, _ = load_corpus(self.settings)
            self._documents = {d.meta.id: (d.meta, d.root) for d in parsed}
        return self._documents


def build_assistant(settings: Settings) -> Runtime:
    from retrieval.rerank import build_reranker

    retriever = Retriever(settings, reranker=build_reranker(settings.reranker))
    llm = None
    if settings.llm_base_url and settings.llm_model:
        from bot.llm import LLMComposer

        llm = LLMComposer(settings)
    return Runtime(settings, retriever, Assistant(settings, retriever, llm))
