"""Latency and throughput through the REST channel with concurrent simulated users (loopback only)."""

import asyncio
import time
import uuid
from dataclasses import dataclass

import aiohttp
import numpy

# What simulated users ask, in turn: topic questions, a follow-up, a condition, a no-answer.
LOAD_MESSAGES = (
    "is iastm painful?",
    "tell me more",
    "which study says so?",
    "how is it different from gua sha",
    "would it help plantar fasciitis",
    "what about a sprained ankle?",
    "how much does a session cost",
    "does it cause bruising",
)
REQUEST_TIMEOUT_SECONDS = 60


@dataclass
class LoadResult:
    """Latencies of every request (seconds) and the wall time of the whole run."""

    latencies: list[float]
    wall_seconds: float
    errors: int

    def percentile_ms(self, percent: float) -> float:
        """A latency percentile in milliseconds."""
        return float(numpy.percentile(self.latencies, percent) * 1000)

    @property
    def messages_per_second(self) -> float:
        """Answered messages per second of wall time."""
        return len(self.latencies) / self.wall_seconds


async def _user(session: aiohttp.ClientSession, webhook: str, messages: int, latencies: list, errors: list):
    sender = f"load-{uuid.uuid4().hex}"
    for index in range(messages):
        text = LOAD_MESSAGES[index % len(LOAD_MESSAGES)]
        started = time.perf_counter()
        async with session.post(webhook, json={"sender": sender, "message": text}) as response:
            body = await response.json()
        if response.status == 200 and body:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(response.status)


async def _run(webhook: str, users: int, messages_per_user: int) -> LoadResult:
    latencies, errors = [], []
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *(_user(session, webhook, messages_per_user, latencies, errors) for _ in range(users))
        )
        wall = time.perf_counter() - started
    return LoadResult(latencies=latencies, wall_seconds=wall, errors=len(errors))


def run_load(webhook: str, users: int, messages_per_user: int) -> LoadResult:
    """`users` concurrent conversations, each sending `messages_per_user` messages one after another."""
    return asyncio.run(_run(webhook, users, messages_per_user))
