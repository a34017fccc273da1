"""Performance fixes applied to the Rasa server process (see docs/benchmarks.md for what they save)."""

import functools
import json

import jsonschema
from rasa.shared.core.events import Event

_resolve_event_type = Event.resolve_by_type


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str):
    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


def validate_with_cached_validator(instance, schema, cls=None, *args, **kwargs) -> None:
    """`jsonschema.validate` without re-checking the schema itself on every call.

    Rasa validates every action-server response against its own fixed schema with
    `jsonschema.validate`, which first checks that schema against the draft 2020-12 meta-schema:
    profiled at about 40% of the Rasa server's busy time per message. The instance is still
    validated in full, by a validator built once per schema.
    """
    validator = _validator(json.dumps(schema, sort_keys=True))
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


@functools.cache
def _event_class(type_name: str):
    return _resolve_event_type(type_name)


def resolve_event_type(type_name: str, default=None):
    """`Event.resolve_by_type` remembering each answer.

    Rasa looks up every stored event's class by walking all Event subclasses (with an
    `inspect.isabstract` check on each), for every event of every tracker it loads: about 5% of
    the server's time per message. Event classes do not change once Rasa is imported. Unknown
    names still raise (exceptions are not cached) or give `default`.
    """
    try:
        return _event_class(type_name)
    except ValueError:
        if default is not None:
            return default
        raise


def apply_speedups() -> None:
    """Install the fixes; call before the Rasa server starts."""
    jsonschema.validate = validate_with_cached_validator
    Event.resolve_by_type = staticmethod(resolve_event_type)
