"""The REST input guard's parts: the rate limit every channel's gate uses and the sender id rule."""

from channels.gate import RateLimit
from server.input_guard import SENDER_ID


def test_a_sender_gets_a_burst_then_the_rate():
    limit = RateLimit(per_minute=30, burst=3)
    assert [limit.allow("a", now=1000.0) for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b", now=1000.0)  # others are not affected
    # 30 a minute: one more message after 2 seconds
    assert limit.allow("a", now=1002.0) and not limit.allow("a", now=1002.0)


def test_sender_ids_must_look_random():
    assert SENDER_ID.match("0123456789abcdef0123456789abcdef")
    assert SENDER_ID.match("load-1234abcd")
    for bad in ("me", "../../x", "a b c d e f g h", "x" * 65, "whatsapp:+15551234567", ""):
        assert not SENDER_ID.match(bad)
