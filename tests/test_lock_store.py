"""A conversation whose lock holder died is not stuck: the next message's wait ends, where Rasa's
own lock store waits forever; the endpoints name the lock store classes."""

import asyncio
import time

import pytest
from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config

from server import lock_store
from server.processes import ROOT


def behind_a_dead_holder(store: LockStore, conversation: str) -> int:
    """Issue the ticket of a holder that died without releasing, then the waiter's; both expire."""
    store.issue_ticket(conversation, lock_lifetime=0.3)
    time.sleep(0.1)
    mine = store.issue_ticket(conversation, lock_lifetime=0.3)
    time.sleep(0.35)  # both expired while "waiting", in the gap Rasa's own loop can miss
    return mine


async def test_a_waiter_whose_ticket_expired_behind_a_dead_holder_goes_ahead():
    store = lock_store.InMemoryLockStore()
    mine = behind_a_dead_holder(store, "c1")
    lock = await asyncio.wait_for(store._acquire_lock("c1", mine, 0.05), timeout=2)
    assert lock is not None


async def test_rasas_own_lock_store_waits_forever_there():
    store = rasa_lock_store.InMemoryLockStore()
    mine = behind_a_dead_holder(store, "c1")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(store._acquire_lock("c1", mine, 0.05), timeout=1)


async def test_a_live_holder_still_blocks_the_waiter():
    store = lock_store.InMemoryLockStore()
    store.issue_ticket("c2", lock_lifetime=30)
    mine = store.issue_ticket("c2", lock_lifetime=30)
    waiting = asyncio.ensure_future(store._acquire_lock("c2", mine, 0.05))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    waiting.cancel()


@pytest.mark.parametrize(
    "endpoints, expected",
    [
        ("endpoints.yml", lock_store.InMemoryLockStore),
        ("deploy/endpoints.prod.yml", lock_store.RedisLockStore),
        ("deploy/docker/endpoints.yml", lock_store.RedisLockStore),
    ],
)
def test_rasa_builds_the_lock_store_the_endpoints_name(endpoints, expected, monkeypatch):
    for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_DB"):
        monkeypatch.setenv(name, {"REDIS_PORT": "6379", "REDIS_DB": "1"}.get(name, "localhost"))
    for name in ("ACTIONS_PORT", "ACTION_SERVER_SECRET", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB"):
        monkeypatch.setenv(name, "1")
    for name in ("POSTGRES_USER", "POSTGRES_PASSWORD"):
        monkeypatch.setenv(name, "x")
    config = read_endpoint_config(str(ROOT / endpoints), "lock_store")
    store = LockStore.create(config)
    assert type(store) is expected
    if expected is lock_store.RedisLockStore:
        assert store.key_prefix == "iastm:lock:"
