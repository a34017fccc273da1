"""The Rasa server speedups keep behaviour: action-server responses are still fully validated."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from server.speedups import validate_with_cached_validator

SPEC = RemoteAction.action_response_format_spec()


def test_a_valid_action_server_response_passes():
    response = {"events": [{"event": "slot", "name": "last_topic", "value": "painful"}], "responses": []}
    validate_with_cached_validator(response, SPEC)


@pytest.mark.parametrize("response", [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}])
def test_an_invalid_response_is_rejected_as_jsonschema_would(response):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validators.validator_for(SPEC)(SPEC).validate(response)
    with pytest.raises(jsonschema.ValidationError):
        validate_with_cached_validator(response, SPEC)


def test_event_types_resolve_as_before():
    from rasa.shared.core.events import ActionExecuted, Event, UserUttered

    from server.speedups import resolve_event_type

    assert resolve_event_type("user") is UserUttered is Event.resolve_by_type("user")
    assert resolve_event_type("action") is ActionExecuted
    assert resolve_event_type("no such event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError):
        resolve_event_type("no such event")
