"""`make run`'s script (scripts/serve.sh): a stop signal ends every server it started."""

import contextlib
import os
import signal
import socket
import subprocess
import time

from server.processes import ROOT, free_port, wait_until_up


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_stop_signal_ends_the_rasa_action_and_web_servers():
    rasa_port, web_port = free_port(), free_port()
    env = {**os.environ, "RASA_PORT": str(rasa_port), "WEB_PORT": str(web_port)}
    serve = subprocess.Popen(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for url in (
            f"http://127.0.0.1:{rasa_port}/",
            f"http://127.0.0.1:{web_port}/",
            "http://127.0.0.1:5055/health",
        ):
            wait_until_up(url, serve)
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(map(listening, (rasa_port, web_port, 5055))) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(map(listening, (rasa_port, web_port, 5055)))
    finally:  # whatever is left of the script's process group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
