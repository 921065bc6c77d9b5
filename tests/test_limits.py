"""Request budgets of the web API: per conversation, per address, proxies trusted only when
configured; search and feedback limited too."""

from __future__ import annotations

import httpx
import pytest

from channels.app import create_app
from channels.clientaddr import client_address, parse_networks
from channels.limits import MSG_RATE_LIMITED
from channels.ratelimit import MemoryRateLimiter
from nq57.settings import Settings


def make_app(tmp_path, runtime, per_conversation=2, per_address=5, trusted=()):
    settings = Settings(
        data_dir=tmp_path / "data", trusted_proxies=list(trusted), retention_days=0, _env_file=None
    )
    return create_app(
        settings,
        runtime.assistant,
        searcher=runtime.search,
        documents=runtime.documents,
        limiter=MemoryRateLimiter(per_conversation),
        address_limiter=MemoryRateLimiter(per_address),
    )


def client_for(app, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_an_office_behind_nat_is_limited_per_conversation_and_wider_per_address(
    tmp_path, runtime
):
    app = make_app(tmp_path, runtime, per_conversation=2, per_address=5)
    async with app.router.lifespan_context(app), client_for(app, "203.0.113.7") as client:
        # Two colleagues, one public address: each conversation has its own budget.
        codes = {}
        for cid in ("c-an", "c-binh"):
            codes[cid] = [
                (
                    await client.post(
                        "/api/chat", json={"message": "xin chào", "conversation_id": cid}
                    )
                ).status_code
                for _ in range(3)
            ]
        assert codes == {"c-an": [200, 200, 429], "c-binh": [200, 200, 429]}
        # The per-address budget (5) caps everything from the address, new conversations too.
        assert (await client.post("/api/chat", json={"message": "xin chào"})).status_code == 429
        limited = await client.get("/api/search", params={"q": "khoa học"})
        assert limited.status_code == 429 and limited.json()["detail"] == MSG_RATE_LIMITED
        async with client_for(app, "203.0.113.8") as other:
            assert (await other.post("/api/chat", json={"message": "xin chào"})).status_code == 200


async def test_search_and_feedback_are_limited(tmp_path, runtime):
    app = make_app(tmp_path, runtime, per_address=3)
    async with app.router.lifespan_context(app), client_for(app, "198.51.100.1") as client:
        searches = [
            (await client.get("/api/search", params={"q": "đổi mới sáng tạo"})).status_code
            for _ in range(4)
        ]
        assert searches == [200, 200, 200, 429]
    app = make_app(tmp_path, runtime, per_address=2)
    async with app.router.lifespan_context(app), client_for(app, "198.51.100.2") as client:
        chat = (await client.post("/api/chat", json={"message": "xin chào"})).json()
        vote = {"message_id": chat["message_id"], "rating": "up"}
        assert (await client.post("/api/feedback", json=vote)).status_code == 200
        third = await client.post("/api/feedback", json=vote)
        assert third.status_code == 429 and third.headers["Retry-After"] == "60"


async def test_forwarded_for_is_believed_only_from_trusted_proxies(tmp_path, runtime):
    trusted = make_app(tmp_path, runtime, per_address=1, trusted=["127.0.0.1", "10.0.0.0/8"])
    async with trusted.router.lifespan_context(trusted), client_for(trusted, "127.0.0.1") as proxy:
        for citizen in ("203.0.113.1", "203.0.113.2"):
            r = await proxy.get(
                "/api/search", params={"q": "khoa học"}, headers={"X-Forwarded-For": citizen}
            )
            assert r.status_code == 200, citizen  # one budget per real client
        # A client that prepends a forged hop still counts as itself (right-most untrusted).
        r = await proxy.get(
            "/api/search",
            params={"q": "khoa học"},
            headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.1"},
        )
        assert r.status_code == 429
        async with client_for(trusted, "192.0.2.50") as stranger:
            # Not a trusted proxy: its header is ignored, so rotating it does not help.
            codes = [
                (
                    await stranger.get(
                        "/api/search",
                        params={"q": "khoa học"},
                        headers={"X-Forwarded-For": f"10.1.1.{i}"},
                    )
                ).status_code
                for i in range(3)
            ]
            assert codes == [200, 429, 429]


def test_client_address_rules():
    assert client_address("127.0.0.1", "1.2.3.4", ()) == "127.0.0.1"  # nothing trusted
    assert client_address("127.0.0.1", "1.2.3.4", ("127.0.0.1",)) == "1.2.3.4"
    assert (
        client_address("127.0.0.1", "1.2.3.4, 10.0.0.2", ("127.0.0.1", "10.0.0.0/8")) == "1.2.3.4"
    )
    assert client_address("127.0.0.1", "not-an-ip", ("127.0.0.1",)) == "127.0.0.1"
    assert client_address("5.6.7.8", "1.2.3.4", ("127.0.0.1",)) == "5.6.7.8"
    assert client_address(None, None, ()) == "unknown"
    with pytest.raises(ValueError, match="NQ57_TRUSTED_PROXIES"):
        parse_networks(("10.0.0.0/33",))
