"""Request budgets of the web API: per conversation, and a wider one per client address.

One office behind NAT shares one address: a per-address budget of 20 a minute throttled it. So
each conversation gets `NQ57_RATE_LIMIT_PER_MINUTE` and each address the wider
`NQ57_RATE_LIMIT_PER_ADDRESS_PER_MINUTE`; a client that invents a new conversation id for every
question still meets the per-address budget. Search and feedback count against the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from channels.clientaddr import client_address
from channels.ratelimit import RateLimiter

MSG_RATE_LIMITED = "Bạn gửi câu hỏi quá nhanh. Vui lòng đợi khoảng một phút rồi hỏi tiếp nhé."


@dataclass
class Budgets:
    per_conversation: RateLimiter | None
    per_address: RateLimiter | None
    trusted_proxies: tuple[str, ...] = ()

    def address(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), self.trusted_proxies)

    async def check(self, request: Request, conversation_id: str | None = None) -> None:
        """429 when the address or the conversation is over its budget."""
        checks: list[tuple[RateLimiter, str]] = []
        if self.per_address is not None:
            checks.append((self.per_address, f"addr:{self.address(request)}"))
        if self.per_conversation is not None and conversation_id:
            checks.append((self.per_conversation, f"web:{conversation_id}"))
        for limiter, key in checks:
            # The Redis limiter does network I/O: keep it off the event loop.
            allowed = (
                await run_in_threadpool(limiter.allow, key)
                if limiter.blocking
                else limiter.allow(key)
            )
            if not allowed:
                raise HTTPException(
                    status_code=429, detail=MSG_RATE_LIMITED, headers={"Retry-After": "60"}
                )

    def status(self) -> str:
        limiters = [x for x in (self.per_conversation, self.per_address) if x is not None]
        if not limiters:
            return "off"
        return getattr(limiters[0], "backend", "in-process")

    @property
    def degraded(self) -> bool:
        return any(
            getattr(x, "degraded", False) for x in (self.per_conversation, self.per_address) if x
        )
