"""Fixtures: the knowledge base, a dispatcher and a tracker factory for action tests; real servers,
and a fake messaging provider, for conversation tests."""

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import load_knowledge
from server.processes import MODEL, serving
from tests.messaging_fakes import FakeProvider, serving_messaging


@pytest.fixture
def kb():
    """The real knowledge base."""
    return load_knowledge()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    """Collects what an action utters."""
    return CollectingDispatcher()


@pytest.fixture
def make_tracker():
    """Build a tracker whose latest message has the given intent, text, entities and slots."""

    def build(
        intent: str,
        text: str = "",
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        intent_ranking: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        latest = {
            "intent": {"name": intent, "confidence": 0.9},
            "text": text,
            "entities": entities or [],
            "intent_ranking": intent_ranking or [],
        }
        return Tracker("test-user", slots or {}, latest, [], False, None, {}, "action_listen")

    return build


@pytest.fixture
def domain() -> dict[str, Any]:
    """Actions here do not read the domain."""
    return {}


@pytest.fixture(scope="module")
def servers():
    """Real Rasa and action servers with the trained model (REST, socket.io); a module with other
    channels to test defines its own `servers`."""
    assert MODEL.exists(), "train first: make train"
    with serving(MODEL) as running:
        yield running


@pytest.fixture(scope="module")
def provider():
    """A fake Telegram, Slack, Twilio and Graph API (tests/messaging_fakes.py)."""
    fake = FakeProvider()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def messaging_servers(provider, tmp_path_factory):
    """Real servers with every messaging channel, sending to the fake provider."""
    with serving_messaging(provider, tmp_path_factory.mktemp("channels")) as running:
        yield running
