"""Rasa's lock stores, with a wait that ends when the waiter's own ticket has expired; named by the
endpoints (`lock_store: type: server.lock_store.RedisLockStore` or `...InMemoryLockStore`).

A Rasa process that dies while it holds a conversation's lock leaves its ticket behind until the
ticket's lifetime (TICKET_LOCK_LIFETIME, Rasa's own setting) runs out. The next message's ticket can
expire while it waits, and Rasa's wait then never ends: its ticket is gone, so it is never
"served". Here an expired own ticket ends the wait, since every ticket issued before it has expired
too. The lifetime must exceed the longest turn (docs/deploy.md), or a live turn loses its lock.
"""

import asyncio

from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig


class ExpiredTicketEndsWait:
    """The waiting loop of Rasa's `LockStore`, ending when the waiter's ticket has expired."""

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket) or lock._ticket_for_ticket_number(ticket) is None:
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)


class RedisLockStore(ExpiredTicketEndsWait, rasa_lock_store.RedisLockStore):
    """Rasa's Redis lock store, configured like `type: redis` (url, port, db, password, key_prefix...)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)


class InMemoryLockStore(ExpiredTicketEndsWait, rasa_lock_store.InMemoryLockStore):
    """Rasa's in-memory lock store (one Rasa process)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        super().__init__()
