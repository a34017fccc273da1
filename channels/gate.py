"""What every channel does with a user's message before Rasa reads it: bounded work, one place.

Every input channel the server runs (REST, socket.io, Telegram, Slack, Twilio, Messenger) passes
each message through `MessageGate.admit` before Rasa sees it:
- control characters are removed and runs of spaces become one space, so no pattern downstream meets
  a run to backtrack over;
- triage (triage/) reads the whole text first; a message longer than `max_chars` is then cut to
  the emergency sentence it holds, or, with none, refused with a clear message;
- a conversation may send at most `per_minute` messages a minute (bursts of 10), counted in Redis
  when RATE_LIMIT_REDIS_URL is set, so that several server processes share one count;
- the text goes on in at most `max_chars` characters and 90 words and marks (its start and end),
  with a run of one repeated mark, word or sentence cut to three (channels/text.py), so NLU,
  question splitting and question focus work on a bounded text; the whole text goes with it in the
  message's metadata (`text_in_full`), and triage reads that: an emergency in the middle of a
  rambling message is never cut out of its reading.
Plain code: no Rasa imports, so the channels and their tests share it.
"""

import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass

import redis

from channels.text import bounded, tidy
from triage.triage import emergency_excerpt

MAX_MESSAGE_CHARS = 1000
# The message metadata key of the whole text, when NLU reads a shortened one: triage reads it whole.
TEXT_IN_FULL_KEY = "text_in_full"
MESSAGES_PER_MINUTE = 30
BURST = 10
TOO_LONG = "Please keep messages under {limit} characters."
TOO_MANY = "Too many messages at once. Please wait a moment and try again."
logger = logging.getLogger(__name__)


class RateLimit:
    """A token bucket per key: `per_minute` a minute in bursts of `burst`, for the `capacity` most
    recently seen keys (the least recently seen is forgotten first, so memory stays bounded)."""

    def __init__(self, per_minute: float, burst: int = BURST, capacity: int = 100_000) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.capacity = capacity
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Take a token for `key` if one is left."""
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.pop(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self.buckets[key] = (tokens - 1 if allowed else tokens, now)
        if len(self.buckets) > self.capacity:
            self.buckets.popitem(last=False)
        return allowed


class SharedRateLimit:
    """The same limit counted in Redis for every process that shares it: at most `per_minute`
    messages a key in each minute. If Redis cannot be reached, each process counts on its own
    (RateLimit) rather than refuse everyone."""

    def __init__(self, url: str, name: str, per_minute: float, burst: int = BURST) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.name = name
        self.per_minute = per_minute
        self.local = RateLimit(per_minute, burst)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one message for `key` in this minute; whether it is within the limit."""
        minute = int((time.time() if now is None else now) // 60)
        counter = f"rate:{self.name}:{key}:{minute}"
        try:
            with self.redis.pipeline() as pipe:
                count, _ = pipe.incr(counter).expire(counter, 120).execute()
        except redis.RedisError as error:
            logger.warning("Rate limit counted locally: Redis failed (%s).", type(error).__name__)
            return self.local.allow(key, now)
        return count <= self.per_minute


def rate_limit(name: str, per_minute: float, burst: int = BURST) -> RateLimit | SharedRateLimit:
    """A limit shared through Redis when RATE_LIMIT_REDIS_URL is set, else this process's own."""
    url = os.environ.get("RATE_LIMIT_REDIS_URL")
    return SharedRateLimit(url, name, per_minute, burst) if url else RateLimit(per_minute, burst)


@dataclass(frozen=True)
class Admission:
    """The text to hand to Rasa, or (text None) the refusal to give the user and its HTTP status;
    `text_in_full` is the whole text when NLU gets it shortened (`bounded`), for triage to read."""

    text: str | None
    refusal: str | None = None
    status: int = 200
    text_in_full: str | None = None

    @property
    def metadata(self) -> dict | None:
        """The message metadata that carries the whole text to triage (nlu_addons/triage_classifier.py)."""
        return {TEXT_IN_FULL_KEY: self.text_in_full} if self.text_in_full else None


class MessageGate:
    """See the module docstring."""

    def __init__(self, max_chars: int = MAX_MESSAGE_CHARS, per_minute: float = MESSAGES_PER_MINUTE) -> None:
        self.max_chars = max_chars
        self.per_conversation = rate_limit("conversation", per_minute)

    def admit(self, conversation: str, text: str) -> Admission:
        """What becomes of one message of `conversation`."""
        text = tidy(text)
        if len(text) > self.max_chars:
            excerpt = emergency_excerpt(text, self.max_chars)
            if excerpt is None:
                return Admission(None, TOO_LONG.format(limit=self.max_chars), 413)
            text = excerpt
        if not self.per_conversation.allow(conversation):
            return Admission(None, TOO_MANY, 429)
        admitted = bounded(text)
        return Admission(admitted, text_in_full=text if admitted != text else None)
