"""An aiohttp application served on 127.0.0.1 from a thread of its own, for tests that drive it
with blocking clients (requests, Playwright)."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web


class ThreadServer:
    """`app` on 127.0.0.1:`port` until `stop()`."""

    def __init__(self, app: web.Application, port: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", port).start())
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and end the thread."""
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@contextmanager
def serve_in_thread(app: web.Application, port: int) -> Iterator[ThreadServer]:
    """`app` served while the block runs."""
    server = ThreadServer(app, port)
    try:
        yield server
    finally:
        server.stop()
