"""Every assignment the project makes to Rasa's own classes, where Rasa has no extension point.

Speed fixes (docs/performance.md says what each saves), the dialogue states kept per conversation
(server/prior_states.py), a time limit and stand-in replies for action calls (server/resilience.py),
and the message processor class Rasa's `Agent` builds (server/processor.py). `apply_rasa_changes`
installs them all; every entry point calls it through server/launch.py. Each has a differential
test against stock Rasa in tests/.
"""

import functools
import json
from contextlib import contextmanager

import jsonschema
import numpy
import rasa
import rasa.core.agent
import scipy.sparse
import tensorflow as tf
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.tensorflow.models import RasaModel

from server.prior_states import states_for_tracker_history_kept
from server.processor import AssistantProcessor
from server.resilience import run_or_stand_in

_resolve_event_type = Event.resolve_by_type
_load_rasa_model = RasaModel.load.__func__
_minimal_graph_schema = GraphSchema.minimal_graph_schema
_rasa_predict = RasaModel._rasa_predict
_combine_sparse_features = Features._combine_sparse_features


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str):
    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


def _raise_best_error(validator, instance) -> None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


@functools.lru_cache(maxsize=64)
def _split_off_event_items(schema_json: str) -> tuple[str, str] | None:
    """The schema without the item schema of its `events` array, and that item schema (or None)."""
    schema = json.loads(schema_json)
    events = schema.get("properties", {}).get("events")
    if "$ref" in schema_json or not isinstance(events, dict) or "items" not in events:
        return None
    items = events.pop("items")
    return json.dumps(schema, sort_keys=True), json.dumps(items, sort_keys=True)


@functools.lru_cache(maxsize=1024)
def _check_event(event_json: str, item_schema_json: str) -> None:
    """Validate one event; only valid ones are remembered (an invalid one raises, every time)."""
    _raise_best_error(_validator(item_schema_json), json.loads(event_json))


def validate_with_cached_validator(instance, schema: dict) -> None:
    """`jsonschema.validate(instance, schema)` without re-checking the schema itself, and each
    distinct event once.

    Rasa validates every action-server response against its own fixed schema with
    `jsonschema.validate`, which first checks that schema against the draft 2020-12 meta-schema:
    profiled at about 40% of the Rasa server's busy time per message. Here the validator is built
    once per schema. Each event of the response's `events` array is then checked on its own
    against the array's item schema, which is what the whole check does for it, about 0.6 ms an
    event (a `oneOf` over every event type); an event seen valid before (the same JSON: responses
    are read from JSON) is not checked again. The rest of the response is checked in full.
    """
    schema_json = json.dumps(schema, sort_keys=True)
    events = instance.get("events") if isinstance(instance, dict) else None
    split = _split_off_event_items(schema_json) if isinstance(events, list) else None
    if split is None:
        _raise_best_error(_validator(schema_json), instance)
        return
    outer_schema_json, item_schema_json = split
    _raise_best_error(_validator(outer_schema_json), instance)
    for event in events:
        _check_event(json.dumps(event, sort_keys=True), item_schema_json)


def validate_action_result_with_cached_validator(self: RemoteAction, result: dict) -> bool:
    """`RemoteAction._validate_action_result` with `validate_with_cached_validator`: the same errors,
    with Rasa's note on the response format added to their message."""
    try:
        validate_with_cached_validator(result, self.action_response_format_spec())
        return True
    except jsonschema.ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            "Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


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


@contextmanager
def eager_fit():
    """While active, `fit` runs its steps eagerly, without tracing a training graph."""
    traced_fit = tf.keras.Model.fit

    def eager_fit(model, *args, **kwargs):
        run_eagerly = model._run_eagerly
        model.run_eagerly = True
        try:
            return traced_fit(model, *args, **kwargs)
        finally:
            model._run_eagerly = run_eagerly

    tf.keras.Model.fit = eager_fit
    try:
        yield
    finally:
        tf.keras.Model.fit = traced_fit


def load_with_eager_weight_building(cls, *args, **kwargs):
    """`RasaModel.load` with its one weight-building training step run eagerly.

    To create DIET's variables before loading the trained weights, Rasa trains one step on one
    example. Tracing that step into a graph (the CRF entity loss above all) took about 40 of the
    server's 50 seconds of start-up; run eagerly, it takes about a second. The trained weights
    then overwrite the step's result, and prediction is traced as before.
    """
    with eager_fit():
        return _load_rasa_model(cls, *args, **kwargs)


def minimal_graph_schema_once(self: GraphSchema, targets: list[str] | None = None) -> GraphSchema:
    """`GraphSchema.minimal_graph_schema` worked out once per schema and targets.

    Rasa prunes the model's graph for every message (twice: once to parse, once to predict) by
    walking all dependencies recursively without remembering visited nodes: about 8% of the
    server's time per message. A loaded model's graph never changes.
    """
    known = self.__dict__.setdefault("_minimal_schemas", {})
    key = tuple(targets) if targets else None
    if key not in known:
        known[key] = _minimal_graph_schema(self, targets)
    return known[key]


class _FlatPredictStep:
    """A traced prediction step called with its inputs as the flat list of tensors it was traced for."""

    def __init__(self, predict_step) -> None:
        self.concrete = predict_step.get_concrete_function()

    def __call__(self, batch_in):
        tensors = [tf.convert_to_tensor(array) for array in batch_in]
        return self.concrete._call_flat(tensors, self.concrete.captured_inputs)


def predict_with_flat_inputs(self: RasaModel, batch_in):
    """`RasaModel._rasa_predict` without matching the inputs to the traced signature on every call.

    DIET's prediction is a `tf.function` with a fixed input signature (Rasa's `_dynamic_signature`),
    yet every call checked and cast each of its inputs against it: about as long as running the
    model (8% of the server's time per message). After the first call traces the function, its
    one concrete function is called directly with the same inputs as tensors.
    """
    outputs = _rasa_predict(self, batch_in)
    if self._tf_predict_step is not None and not isinstance(self._tf_predict_step, _FlatPredictStep):
        self._tf_predict_step = _FlatPredictStep(self._tf_predict_step)
    return outputs


def run_graph_in_order(
    self: DaskGraphRunner, inputs: dict | None = None, targets: list | None = None
) -> dict:
    """`DaskGraphRunner.run` without dask: each node needed for `targets` runs once, after its inputs.

    Rasa runs its graph (twice per message: to parse and to predict) with dask's synchronous
    scheduler, whose ordering and bookkeeping took about 8% of the server's time per message.
    Nodes and their results are the same; each returns its `(name, output)` pair as before.
    """
    run_targets = targets if targets else self._graph_schema.target_names
    graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
    self._add_inputs_to_graph(inputs, graph)
    results = {}

    def result_of(name: str):
        if name not in results:
            node, *needs = graph[name]
            results[name] = node(*map(result_of, needs)) if callable(node) else graph[name]
        return results[name]

    try:
        return dict(map(result_of, run_targets))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


def possible_rule_keys(self: RulePolicy, lookup: dict, states: list) -> set:
    """`RulePolicy._get_possible_keys`, looking back only as far as the longest rule still possible.

    Rasa checked every rule against every state of the whole conversation, although a rule
    applies to any state further back than its own length: about 4% of the server's time per
    message, growing with the conversation. The rules kept are the same.
    """
    possible_keys = set(lookup)
    for turns_back, state in enumerate(reversed(states)):
        if all(turns_back >= len(self._rule_key_to_state(key)) for key in possible_keys):
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turns_back, state)}
    return possible_keys


def current_turn(tracker: DialogueStateTracker) -> list[Event]:
    """The events from the latest user message on (all of them before the first message)."""
    turn = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    return turn[::-1]


def action_call_with_current_turn(self: RemoteAction, tracker: DialogueStateTracker, domain) -> dict:
    """`RemoteAction._action_call_format` with only the current turn's events.

    Rasa sent every event of the conversation, as JSON, with every action call: about 5% of the
    server's time per message, growing with the conversation, and as much again for the action
    server to read. Our actions read the slots and the latest message, which are sent as before,
    and never the events. Everything else in the call is Rasa's.
    """
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in current_turn(tracker)]
    call = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        call["domain"] = domain.as_dict()
    return call


def side_by_side(left: scipy.sparse.spmatrix, right: scipy.sparse.spmatrix) -> scipy.sparse.coo_matrix:
    """`scipy.sparse.hstack([left, right])` for two matrices, built from their entries directly."""
    left, right = left.tocoo(), right.tocoo()
    return scipy.sparse.coo_matrix(
        (
            numpy.concatenate([left.data, right.data]),
            (
                numpy.concatenate([left.row, right.row]),
                numpy.concatenate([left.col, right.col + left.shape[1]]),
            ),
        ),
        shape=(left.shape[0], left.shape[1] + right.shape[1]),
    )


def combine_sparse_features_side_by_side(self: Features, additional_features: Features) -> None:
    """`Features._combine_sparse_features` without scipy's general block-matrix code.

    DIET joins each message's sparse features (words, character n-grams, lexical features) with
    `scipy.sparse.hstack`, about 0.3 ms a call for these small matrices: about 7% of the server's
    time per message. The joined matrix has the same entries, shape and type.
    """
    if self.features.shape[0] != additional_features.features.shape[0] or not scipy.sparse.issparse(
        additional_features.features
    ):
        _combine_sparse_features(self, additional_features)  # Rasa's own error for a mismatch
        return
    self.features = side_by_side(self.features, additional_features.features)
    self._cached_fingerprint = None


def apply_rasa_changes() -> None:
    """Install every change above; call before an agent is loaded. Calling it again changes nothing."""
    rasa.core.agent.MessageProcessor = AssistantProcessor
    Domain.states_for_tracker_history = states_for_tracker_history_kept
    RemoteAction.run = run_or_stand_in
    RemoteAction._validate_action_result = validate_action_result_with_cached_validator
    Event.resolve_by_type = staticmethod(resolve_event_type)
    RasaModel.load = classmethod(load_with_eager_weight_building)
    GraphSchema.minimal_graph_schema = minimal_graph_schema_once
    RasaModel._rasa_predict = predict_with_flat_inputs
    DaskGraphRunner.run = run_graph_in_order
    RulePolicy._get_possible_keys = possible_rule_keys
    RemoteAction._action_call_format = action_call_with_current_turn
    Features._combine_sparse_features = combine_sparse_features_side_by_side
