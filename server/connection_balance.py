"""Even shares of connections between Sanic worker processes (`SANIC_WORKERS` above 1).

Sanic's workers share one listening socket, and each worker's event loop accepts every waiting
connection at once, so clients that connect together (a page of chat widgets, a load test) mostly
land on one process and stay there (keep-alive) while the other idles. Here each worker accepts one
connection at a time, and only while it holds no more open connections than any other worker; a
connection that no other worker takes within `GRACE_SECONDS` (that worker is busy, or gone) is
accepted anyway. A worker whose turn it is not looks again every `RECHECK_SECONDS`.
"""

import asyncio
import functools
import multiprocessing
import socket

import sanic.app
from sanic.log import error_logger
from sanic.server import runners

GRACE_SECONDS = 0.05
RECHECK_SECONDS = 0.005
_serve = runners.serve
_serve_multiple = runners.serve_multiple


class ConnectionShares:
    """The open-connection count of each worker, in memory that the forked workers share."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.counts = context.Array("i", workers)
        self._claimed = context.Value("i", 0)

    def claim_slot(self) -> int:
        """The calling worker's own slot in `counts`."""
        with self._claimed.get_lock():
            slot = self._claimed.value
            self._claimed.value += 1
        return slot

    def is_least_loaded(self, slot: int) -> bool:
        """Whether the worker in `slot` holds no more connections than any other."""
        return self.counts[slot] <= min(self.counts)


def counted_protocol_factory(protocol_factory: functools.partial, on_lost) -> functools.partial:
    """Sanic's protocol factory (a partial of its class), calling `on_lost` when a connection closes."""

    class CountedProtocol(protocol_factory.func):
        __slots__ = ()

        def connection_lost(self, error) -> None:
            on_lost()
            super().connection_lost(error)

    return functools.partial(CountedProtocol, *protocol_factory.args, **protocol_factory.keywords)


class BalancedListener:
    """Accepts connections from a listening socket shared with other workers, by `shares`.

    Stands in for the server object of `loop.create_server` (Sanic calls `close` and
    `wait_closed` on it when it stops).
    """

    def __init__(
        self, loop, sock: socket.socket, protocol_factory: functools.partial, shares: ConnectionShares
    ) -> None:
        self.loop, self.sock = loop, sock
        self.counted_protocol = counted_protocol_factory(protocol_factory, self.count_off)
        self.shares, self.slot = shares, shares.claim_slot()
        self.listening = self.closed = False
        self.waiting_since = None  # when this worker first left a waiting connection to the others
        self.sock.setblocking(False)
        self.listen()

    def listen(self) -> None:
        """Watch the socket for waiting connections."""
        if not self.listening and not self.closed:
            self.loop.add_reader(self.sock.fileno(), self.on_connection_waiting)
            self.listening = True

    def pause(self) -> None:
        """Leave waiting connections to the other workers for `RECHECK_SECONDS`."""
        self.loop.remove_reader(self.sock.fileno())
        self.listening = False
        self.loop.call_later(RECHECK_SECONDS, self.listen)

    def is_my_turn(self) -> bool:
        """Whether to accept now: this worker is the least loaded, or the others let a connection wait."""
        if self.shares.is_least_loaded(self.slot):
            return True
        if self.waiting_since is None:
            self.waiting_since = self.loop.time()
        return self.loop.time() - self.waiting_since >= GRACE_SECONDS

    def on_connection_waiting(self) -> None:
        """Accept one connection if it is this worker's turn; otherwise pause."""
        if not self.is_my_turn():
            self.pause()
            return
        try:
            connection, _ = self.sock.accept()
        except (BlockingIOError, InterruptedError):  # another worker took it
            self.waiting_since = None
            return
        except OSError as error:  # out of file descriptors, for one: try again shortly
            error_logger.warning("Could not accept a connection: %s", error)
            self.pause()
            return
        self.waiting_since = None
        connection.setblocking(False)
        if connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.shares.counts[self.slot] += 1
        self.loop.create_task(self.serve_connection(connection))

    async def serve_connection(self, connection: socket.socket) -> None:
        """Hand an accepted connection to Sanic's protocol; count it off again if that fails."""
        try:
            await self.loop.connect_accepted_socket(self.counted_protocol, connection)
        except OSError as error:  # the client went away before the transport was set up
            error_logger.warning("Could not serve a connection: %s", error)
            connection.close()
            self.count_off()

    def count_off(self) -> None:
        """One of this worker's connections closed."""
        self.shares.counts[self.slot] -= 1

    def close(self) -> None:
        """Stop accepting connections."""
        if self.listening:
            self.loop.remove_reader(self.sock.fileno())
        self.listening, self.closed = False, True

    async def wait_closed(self) -> None:
        """Nothing to wait for once `close` returned."""


def serve_balanced(*args, shares: ConnectionShares, loop=None, **settings):
    """Sanic's `serve` for one worker, accepting connections through a `BalancedListener`."""
    loop = loop or asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def create_server(protocol_factory, *_, sock, **__):
        return BalancedListener(loop, sock, protocol_factory, shares)

    loop.create_server = create_server
    return _serve(*args, loop=loop, **settings)


def serve_multiple_balanced(server_settings: dict, workers: int):
    """Sanic's `serve_multiple`, with workers that share the connections evenly."""
    shares = ConnectionShares(workers)
    runners.serve = functools.partial(serve_balanced, shares=shares)
    try:
        return _serve_multiple(server_settings, workers)
    finally:
        runners.serve = _serve


def apply_connection_balance() -> None:
    """Install the balanced accept for Sanic apps run with several workers."""
    sanic.app.serve_multiple = serve_multiple_balanced
