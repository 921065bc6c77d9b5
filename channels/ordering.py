"""One message at a time per user, in the order the messages arrived.

A webhook takes a ticket (`reserve`, no await) as soon as it has parsed an event, before it
answers the platform; the reply is produced when the ticket's turn comes. So a user's five
quick messages are answered and stored in arrival order, each seeing the previous answer as
history, however long each answer takes. Queues are dropped once empty.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

log = logging.getLogger(__name__)

# A ticket whose request died before its reply started would block the user's queue forever;
# after this long the next one goes ahead.
MAX_WAIT_SECONDS = 120.0


class Ticket:
    def __init__(self, turns: KeyedTurns, key: str, ready: asyncio.Future | None) -> None:
        self._turns = turns
        self.key = key
        self._ready = ready
        self._released = False

    async def __aenter__(self) -> Ticket:
        if self._ready is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._ready), self._turns.max_wait)
            except TimeoutError:
                log.warning("a message ahead in the queue never finished; going ahead")
                self._turns._skip_to(self)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._turns._release(self)


class KeyedTurns:
    def __init__(self, max_wait: float = MAX_WAIT_SECONDS) -> None:
        self.max_wait = max_wait
        self._queues: dict[str, deque[Ticket]] = {}

    def reserve(self, key: str) -> Ticket:
        """A place in ``key``'s queue; call from the event loop, without awaiting before."""
        queue = self._queues.setdefault(key, deque())
        ready = None if not queue else asyncio.get_running_loop().create_future()
        ticket = Ticket(self, key, ready)
        queue.append(ticket)
        return ticket

    def _release(self, ticket: Ticket) -> None:
        queue = self._queues.get(ticket.key)
        if not queue:
            return
        was_head = queue[0] is ticket
        queue.remove(ticket)
        if not queue:
            del self._queues[ticket.key]
            return
        if was_head:
            head = queue[0]
            if head._ready is not None and not head._ready.done():
                head._ready.set_result(None)

    def _skip_to(self, ticket: Ticket) -> None:
        queue = self._queues.get(ticket.key)
        while queue and queue[0] is not ticket:
            queue.popleft()._released = True

    def __len__(self) -> int:
        return len(self._queues)
