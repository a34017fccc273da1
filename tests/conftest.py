"""Fixtures for action tests: the knowledge base, a dispatcher and a tracker factory."""
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import load_knowledge


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
        entities: Optional[List[Dict[str, Any]]] = None,
        slots: Optional[Dict[str, Any]] = None,
        intent_ranking: Optional[List[Dict[str, Any]]] = None,
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
def domain() -> Dict[str, Any]:
    """Actions here do not read the domain."""
    return {}
