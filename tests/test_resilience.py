"""A conversation whose lock holder died is not stuck: the next message's wait ends."""

import asyncio
import time

from rasa.core.lock_store import InMemoryLockStore

from server.resilience import acquire_lock_until_own_ticket_expires


async def test_a_waiter_whose_ticket_expired_behind_a_dead_holder_goes_ahead():
    store = InMemoryLockStore()
    store.issue_ticket("c1", lock_lifetime=0.3)  # the holder, which died without releasing
    time.sleep(0.1)
    mine = store.issue_ticket("c1", lock_lifetime=0.3)
    time.sleep(0.35)  # both expired while "waiting", in the gap Rasa's own loop can miss
    lock = await asyncio.wait_for(acquire_lock_until_own_ticket_expires(store, "c1", mine, 0.05), timeout=2)
    assert lock is not None


async def test_a_live_holder_still_blocks_the_waiter():
    store = InMemoryLockStore()
    store.issue_ticket("c2", lock_lifetime=30)
    mine = store.issue_ticket("c2", lock_lifetime=30)
    waiting = asyncio.ensure_future(acquire_lock_until_own_ticket_expires(store, "c2", mine, 0.05))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    waiting.cancel()
