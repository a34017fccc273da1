"""Sanic workers take even shares of the connections, and a waiting connection is never left unserved."""

import asyncio
import collections
import functools
import http.client
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.connection_balance import GRACE_SECONDS, BalancedListener, ConnectionShares
from server.processes import ROOT, free_port

# A Sanic app that answers with its worker's process id, run as `python -c` with two workers.
PID_APP = textwrap.dedent(
    """
    import os, sys
    from sanic import Sanic, response
    from server.connection_balance import apply_connection_balance

    apply_connection_balance()
    app = Sanic("pid_app")

    @app.get("/")
    async def pid(request):
        return response.text(str(os.getpid()))

    app.run("127.0.0.1", int(sys.argv[1]), workers=2, access_log=False)
    """
)
CONNECTIONS = 10


def test_shares_name_the_least_loaded_worker():
    shares = ConnectionShares(2)
    first, second = shares.claim_slot(), shares.claim_slot()
    assert (first, second) == (0, 1)
    shares.counts[first] = 3
    shares.counts[second] = 2
    assert not shares.is_least_loaded(first)
    assert shares.is_least_loaded(second)
    shares.counts[first] = 2
    assert shares.is_least_loaded(first) and shares.is_least_loaded(second)


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(port)


@pytest.fixture
def two_worker_app():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", PID_APP, str(port)], cwd=ROOT, start_new_session=True)
    try:
        wait_for_port(port, process)
        time.sleep(1)  # both workers up
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def answering_pids(port: int) -> list[str]:
    """Open CONNECTIONS keep-alive connections at once; each asks three times which process answers."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CONNECTIONS)]
    for connection in connections:
        connection.connect()

    def ask_three_times(connection: http.client.HTTPConnection) -> str:
        pids = set()
        for _ in range(3):
            connection.request("GET", "/")
            pids.add(connection.getresponse().read().decode())
        assert len(pids) == 1, "a keep-alive connection stays with one process"
        return pids.pop()

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        pids = list(pool.map(ask_three_times, connections))
    for connection in connections:
        connection.close()
    return pids


def test_two_workers_take_half_of_the_connections_each(two_worker_app):
    for _ in range(3):  # connections closed by the last round are counted off again
        shares = collections.Counter(answering_pids(two_worker_app))
        assert sorted(shares.values()) == [CONNECTIONS // 2, CONNECTIONS // 2]
        time.sleep(0.2)


class Recorder(asyncio.Protocol):
    """Stands in for Sanic's protocol: records that a connection was served and when it closed."""

    served = 0
    closed = 0

    def connection_made(self, transport):
        Recorder.served += 1
        transport.write(b"hello")

    def connection_lost(self, error):
        Recorder.closed += 1


def listener_beside_an_idle_worker(mine: int, other: int) -> tuple[BalancedListener, socket.socket]:
    """A listener holding `mine` connections; the other worker's slot holds `other` and never accepts."""
    shares = ConnectionShares(2)
    listening = socket.create_server(("127.0.0.1", 0))
    listener = BalancedListener(asyncio.get_running_loop(), listening, functools.partial(Recorder), shares)
    shares.claim_slot()
    shares.counts[listener.slot], shares.counts[1 - listener.slot] = mine, other
    return listener, listening


def test_a_connection_left_by_the_other_worker_is_accepted_after_the_grace():
    """The other worker's slot holds fewer connections but never accepts (busy or gone)."""

    async def scenario():
        listener, listening = listener_beside_an_idle_worker(mine=1, other=0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        reader, writer = await asyncio.open_connection(*listening.getsockname())
        assert await reader.readexactly(5) == b"hello"
        waited = loop.time() - started
        assert listener.shares.counts[listener.slot] == 2
        writer.close()
        await writer.wait_closed()
        for _ in range(100):
            if Recorder.closed:
                break
            await asyncio.sleep(0.01)
        listener.close()
        listening.close()
        return waited, listener.shares.counts[listener.slot]

    Recorder.served = Recorder.closed = 0
    waited, count_after_close = asyncio.run(scenario())
    assert waited >= GRACE_SECONDS
    assert Recorder.served == 1 and Recorder.closed == 1
    assert count_after_close == 1


def test_the_least_loaded_worker_accepts_without_pausing():
    async def scenario():
        listener, listening = listener_beside_an_idle_worker(mine=0, other=1)
        pauses = []
        listener.pause = lambda: pauses.append(True) or BalancedListener.pause(listener)
        reader, writer = await asyncio.open_connection(*listening.getsockname())
        greeting = await reader.readexactly(5)
        writer.close()
        listener.close()
        listening.close()
        return greeting, pauses, listener.shares.counts[listener.slot]

    greeting, pauses, count = asyncio.run(scenario())
    assert greeting == b"hello" and pauses == [] and count == 1
