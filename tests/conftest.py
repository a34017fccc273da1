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


# What a test needs beyond this repository's files: real servers with the trained model, the fake
# messaging provider, Chromium, or processes of its own. `pytest -m unit` runs the rest (about 25 s).
SERVER_FIXTURES = {"servers", "messaging_servers", "provider"}
OUTSIDE_MODULES = {
    "test_webchat_browser",  # Chromium and the trained model
    "test_widget_browser",  # Chromium, the trained model and the website server
    "test_serve_script",  # the whole stack, started by scripts
    "test_action_server",  # an action server process
    "test_handoff_browser",  # Chromium, the trained model and the website server
    "test_handoff_conversation",  # the trained model, servers with the front desk open or closed
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test `unit` or `integration` (registered in pyproject.toml), unless it says which."""
    for item in items:
        if item.get_closest_marker("integration") or item.get_closest_marker("unit"):
            continue
        outside = SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) or (
            item.module.__name__.rsplit(".", 1)[-1] in OUTSIDE_MODULES
        )
        item.add_marker(pytest.mark.integration if outside else pytest.mark.unit)
