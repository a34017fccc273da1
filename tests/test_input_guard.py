"""The REST input guard's parts: the per-sender rate limit and the sender id rule."""

from server import input_guard
from server.input_guard import SENDER_ID, SenderRateLimit


def test_a_sender_gets_a_burst_then_the_rate(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(input_guard.time, "monotonic", lambda: now[0])
    limit = SenderRateLimit(per_minute=30, burst=3)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # others are not affected
    now[0] += 2  # 30 a minute: one more message after 2 seconds
    assert limit.allow("a") and not limit.allow("a")


def test_sender_ids_must_look_random():
    assert SENDER_ID.match("0123456789abcdef0123456789abcdef")
    assert SENDER_ID.match("load-1234abcd")
    for bad in ("me", "../../x", "a b c d e f g h", "x" * 65, "whatsapp:+15551234567", ""):
        assert not SENDER_ID.match(bad)
