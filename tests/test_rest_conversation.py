"""End to end through the REST channel: real Rasa and action servers, a real multi-turn conversation."""

import os
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "iastm.tar.gz"
RASA = ROOT / ".venv" / "bin" / "rasa"
MOJIBAKE = re.compile("[\u0e00-\u0e7f\u20ac]")
START_TIMEOUT_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited early with code {process.returncode}"
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


class Servers:
    """The action server and a Rasa server, sharing one SQLite tracker store in a temp folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.action_port, self.rasa_port = free_port(), free_port()
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.action_port}/webhook\n"
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n"
        )
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        self.actions = self._start(
            [str(RASA), "run", "actions", "--port", str(self.action_port)], "actions.log"
        )
        self.rasa = None
        self.start_rasa()
        wait_until_up(f"http://127.0.0.1:{self.action_port}/health", self.actions)

    def _start(self, command, log_name) -> subprocess.Popen:
        log = open(self.workdir / log_name, "ab")
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_rasa(self) -> None:
        command = [
            str(RASA),
            "run",
            "--model",
            str(MODEL),
            "--port",
            str(self.rasa_port),
            "--endpoints",
            str(self.endpoints),
            "--credentials",
            str(ROOT / "credentials.yml"),
        ]
        self.rasa = self._start(command, "rasa.log")
        wait_until_up(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/", self.rasa)

    def stop_rasa(self) -> None:
        self.rasa.terminate()
        self.rasa.wait(timeout=60)

    def stop(self) -> None:
        for process in (self.rasa, self.actions):
            process.terminate()
            process.wait(timeout=60)

    def say(self, sender: str, message: str) -> list:
        url = f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"
        response = requests.post(url, json={"sender": sender, "message": message}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    assert MODEL.exists(), "train first: make train"
    running = Servers(tmp_path_factory.mktemp("servers"))
    yield running
    running.stop()


def text_of(replies: list) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def payload_of(replies: list) -> dict:
    payloads = [reply["custom"] for reply in replies if "custom" in reply]
    assert len(payloads) == 1, replies
    return payloads[0]


def test_multi_turn_conversation_with_follow_ups(servers):
    sender = uuid.uuid4().hex
    greeting = servers.say(sender, "hi there")
    assert "IASTM" in text_of(greeting) and greeting[0]["buttons"]

    painful = servers.say(sender, "ouch, is that scraping thing sore?")
    assert payload_of(painful)["type"] == "answer" and payload_of(painful)["topic"] == "painful"
    assert "If the older approach is used; YES." in text_of(painful)
    assert "not medical advice" in text_of(painful)

    gua_sha = servers.say(sender, "is it like gua sha")
    assert payload_of(gua_sha)["topic"] == "gua_sha"
    assert "Gua sha uses stone, Jade, and wooden tools to scrape the skin." in text_of(gua_sha)

    safe = servers.say(sender, "and is that safe?")
    assert payload_of(safe)["topic"] == "safety"
    assert "(Crothers et al., 2016)" in text_of(safe)

    study = servers.say(sender, "show me the study")
    assert payload_of(study)["type"] == "references"
    assert "Spinal manipulative therapy, Graston technique® and placebo" in text_of(study)

    tendon = servers.say(sender, "would it help my achilles tendonitis?")
    assert payload_of(tendon)["topic"] == "tendinopathy"
    ankle = servers.say(sender, "what about a sprained ankle?")
    assert payload_of(ankle)["topic"] == "ligament_sprains"
    assert "Ligament sprains" in text_of(ankle) and "(Chughtai et al., 2019)" in text_of(ankle)

    more = servers.say(sender, "tell me more")
    assert payload_of(more)["type"] == "no_more" and payload_of(more)["topic"] == "ligament_sprains"
    assert more[0]["buttons"], "related topics are offered"


def test_questions_outside_the_articles_and_red_flags(servers):
    sender = uuid.uuid4().hex
    price = servers.say(sender, "how much does a session cost?")
    assert payload_of(price)["type"] == "no_answer"
    assert "915-850-0900" in text_of(price) and "citations" not in payload_of(price)

    emergency = servers.say(
        sender, "had IASTM on my leg and now my calf is hot and swollen and I'm short of breath"
    )
    assert payload_of(emergency)["type"] == "emergency"
    assert "911" in text_of(emergency)

    poem = servers.say(sender, "write me a poem about cats")
    assert payload_of(poem)["type"] == "off_topic"


def test_bad_input_gets_a_reply_not_an_error(servers):
    sender = uuid.uuid4().hex
    assert payload_of(servers.say(sender, ""))["type"] == "no_topic"
    for message in [
        "<img src=x onerror=alert(1)>",
        "🙂🙂🙂",
        "x" * 5000,
        "¿Duele el IASTM?",
        '{"a": 1}',
        "' OR 1=1; --",
    ]:
        replies = servers.say(sender, message)
        assert replies, message
        assert all(not MOJIBAKE.search(reply.get("text", "")) for reply in replies)
    assert payload_of(servers.say(sender, "is iastm painful"))["topic"] == "painful"


def test_conversation_survives_a_server_restart(servers):
    sender = uuid.uuid4().hex
    assert payload_of(servers.say(sender, "what does IASTM stand for?"))["topic"] == "acronym"
    assert payload_of(servers.say(sender, "what about plantar fasciitis?"))["topic"] == "plantar_fasciitis"
    servers.stop_rasa()
    servers.start_rasa()
    sources = servers.say(sender, "where does that come from?")
    assert payload_of(sources)["type"] == "references" and payload_of(sources)["topic"] == "plantar_fasciitis"
    assert "Astym® therapy: a systematic review" in text_of(sources)
