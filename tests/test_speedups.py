"""The Rasa server speedups keep behaviour: action-server responses are still fully validated."""

import subprocess
import sys

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from server.processes import ROOT
from server.rasa_changes import validate_action_result_with_cached_validator, validate_with_cached_validator

SPEC = RemoteAction.action_response_format_spec()


def test_a_valid_action_server_response_passes():
    response = {"events": [{"event": "slot", "name": "last_topic", "value": "painful"}], "responses": []}
    validate_with_cached_validator(response, SPEC)


SLOT = {"event": "slot", "timestamp": None, "name": "last_topic", "value": "painful"}
RESPONSES = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"events": [SLOT, {"event": "no such event"}]},
    {"events": [SLOT, {"event": "user", "text": 5}]},
    {"events": [SLOT], "responses": "not a list"},
    {"events": [SLOT], "responses": [{"text": "fine"}]},
    {"events": [SLOT, {"event": "bot", "text": "hi"}, {"event": "action", "name": "action_listen"}]},
    {"responses": [{"text": "no events"}]},
    ["not an object"],
]


@pytest.mark.parametrize("response", RESPONSES)
def test_a_response_is_accepted_or_rejected_as_jsonschema_would(response):
    reference = jsonschema.validators.validator_for(SPEC)(SPEC)
    for _ in range(2):  # the second time, events seen valid are remembered
        if reference.is_valid(response):
            validate_with_cached_validator(response, SPEC)
        else:
            with pytest.raises(jsonschema.ValidationError):
                validate_with_cached_validator(response, SPEC)


@pytest.mark.parametrize("response", RESPONSES)
def test_an_action_result_is_judged_as_rasa_judges_it(response):
    action = RemoteAction("action_answer_topic", None)
    try:
        expected = action._validate_action_result(response)
    except jsonschema.ValidationError as error:
        with pytest.raises(jsonschema.ValidationError) as ours:
            validate_action_result_with_cached_validator(action, response)
        assert ours.value.message == error.message
    else:
        assert validate_action_result_with_cached_validator(action, response) is expected


@pytest.mark.integration  # a Python process of its own, importing Rasa and TensorFlow
def test_the_speedups_replace_no_library_function():
    """Only Rasa's own classes change: jsonschema, numpy, scipy, TensorFlow and Sanic keep theirs."""
    check = (
        "import types, jsonschema, numpy, scipy.sparse, tensorflow, sanic.app\n"
        "modules = (jsonschema, numpy, scipy.sparse, tensorflow, sanic.app)\n"
        "before = [dict(vars(module)) for module in modules]\n"
        "from server.launch import apply_all\n"
        "apply_all()\n"
        "changed = [(module.__name__, name) for module, names in zip(modules, before)\n"
        "           for name, value in vars(module).items() if names.get(name, value) is not value\n"
        "           and not isinstance(value, types.ModuleType)]  # submodules load lazily\n"
        "assert not changed, changed\n"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=300)


def test_event_types_resolve_as_before():
    from rasa.shared.core.events import ActionExecuted, Event, UserUttered

    from server.rasa_changes import resolve_event_type

    assert resolve_event_type("user") is UserUttered is Event.resolve_by_type("user")
    assert resolve_event_type("action") is ActionExecuted
    assert resolve_event_type("no such event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError):
        resolve_event_type("no such event")


def test_fit_runs_eagerly_only_inside_eager_fit():
    import numpy as np
    import tensorflow as tf

    from server.rasa_changes import eager_fit

    eager_steps = []

    class Probe(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            eager_steps.append(tf.executing_eagerly())
            return super().train_step(data)

    traced_fit = tf.keras.Model.fit
    inputs, targets = np.ones((1, 2)), np.ones((1, 1))
    built_eagerly, traced = Probe(), Probe()
    for model in (built_eagerly, traced):
        model.compile(optimizer="sgd", loss="mse")
    with eager_fit():
        built_eagerly.fit(inputs, targets, verbose=0)
    traced.fit(inputs, targets, verbose=0)
    assert eager_steps[0] and not any(eager_steps[1:])  # a traced step may be traced twice
    assert built_eagerly._run_eagerly is None  # the model's own setting is back for prediction
    assert tf.keras.Model.fit is traced_fit


def test_the_minimal_graph_is_the_same_when_remembered():
    from server.rasa_changes import minimal_graph_schema_once

    def node(needs, is_target=False):
        return SchemaNode(
            needs=needs, uses=GraphSchema, fn="f", constructor_name="c", config={}, is_target=is_target
        )

    schema = GraphSchema(
        {"a": node({}), "b": node({"x": "a"}), "c": node({"x": "b"}, is_target=True), "unused": node({})}
    )
    first = minimal_graph_schema_once(schema, ["c"])
    assert set(first.nodes) == {"a", "b", "c"} == set(schema.minimal_graph_schema(["c"]).nodes)
    assert minimal_graph_schema_once(schema, ["c"]) is first
    assert set(minimal_graph_schema_once(schema, ["a"]).nodes) == {"a"}


def test_prediction_with_flat_inputs_gives_what_the_traced_function_gives():
    import numpy as np
    import tensorflow as tf
    from rasa.utils.tensorflow.models import RasaModel

    from server.rasa_changes import _FlatPredictStep, predict_with_flat_inputs

    class Probe(RasaModel):
        """Two inputs of varying length (only the last axis is fixed), like DIET's batches."""

        def batch_predict(self, batch_in):
            tokens, mask = batch_in
            return {"score": tf.reduce_sum(tokens * mask, axis=1)}

        def prepare_for_predict(self):
            pass

    def batch(length):
        rng = np.random.default_rng(length)
        return (rng.random((1, length, 3), dtype=np.float32), np.ones((1, length, 1), dtype=np.float32))

    flat, traced = Probe(), Probe()
    for length in (4, 9, 2):
        expected = traced._rasa_predict(batch(length))
        got = predict_with_flat_inputs(flat, batch(length))
        np.testing.assert_array_equal(got["score"], expected["score"])
    assert isinstance(flat._tf_predict_step, _FlatPredictStep)
    assert not isinstance(traced._tf_predict_step, _FlatPredictStep)


class Step(GraphComponent):
    """A graph component that adds its config's `add` to the sum of its inputs, counting its runs."""

    runs = []

    def __init__(self, add: int) -> None:
        self.add = add

    @classmethod
    def create(cls, config, model_storage, resource, execution_context):
        return cls(config["add"])

    def run(self, **inputs) -> int:
        Step.runs.append(self.add)
        return self.add + sum(inputs.values())


def test_the_graph_runs_in_order_as_with_dask(tmp_path):
    """A diamond (`top` needs `left` and `right`, which both need `base`) fed by an input."""
    from server.rasa_changes import run_graph_in_order

    def node(add, needs, is_target=False):
        return SchemaNode(needs, Step, "create", "run", {"add": add}, is_target=is_target)

    schema = GraphSchema(
        {
            "base": node(1, {"given": "__input__"}),
            "left": node(10, {"x": "base"}),
            "right": node(100, {"x": "base"}),
            "top": node(1000, {"a": "left", "b": "right"}, is_target=True),
            "unused": node(7, {}),
        }
    )
    runner = DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "test"))
    results = []
    for run in (DaskGraphRunner.run, run_graph_in_order):
        Step.runs = []
        results.append(run(runner, inputs={"__input__": 5}, targets=["top", "left"]))
        assert sorted(Step.runs) == [1, 10, 100, 1000]  # each needed node once, `unused` never
    assert results[0] == results[1] == {"top": 1000 + (10 + 6) + (100 + 6), "left": 16}


def test_the_possible_rules_are_rasas(tmp_path):
    import json

    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.storage.resource import Resource

    from server.rasa_changes import possible_rule_keys

    def listened(intent):
        return {"prev_action": {"action_name": "action_listen"}, "user": {"intent": intent}}

    def answered(intent):
        return {"prev_action": {"action_name": "action_answer"}, "user": {"intent": intent}}

    rules = {
        json.dumps([listened("greet")]): "utter_greet",
        json.dumps([{}, listened("ask")]): "action_first_answer",  # only at the conversation's start
        json.dumps([listened("ask")]): "action_answer",
        json.dumps([listened("ask"), answered("ask"), listened("more")]): "action_more",
    }
    schema = GraphSchema({})
    policy = RulePolicy(
        RulePolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("rules"),
        ExecutionContext(schema),
    )
    conversation = [
        {},
        listened("ask"),
        answered("ask"),
        listened("more"),
        answered("more"),
        listened("greet"),
    ]
    conversation += [listened("ask"), answered("ask"), listened("more")]
    matched = []
    for end in range(1, len(conversation) + 1):
        states = conversation[:end]
        expected = RulePolicy._get_possible_keys(policy, rules, states)
        assert possible_rule_keys(policy, rules, states) == expected
        matched.append({rules[key] for key in expected})
    assert {"action_first_answer", "action_answer"} in matched and {"action_more"} in matched


def test_an_action_call_is_rasas_with_the_current_turn_only():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from server.rasa_changes import action_call_with_current_turn

    domain = Domain.from_dict({"slots": {"last_topic": {"type": "text", "mappings": [{"type": "custom"}]}}})
    action = RemoteAction("action_answer_topic", EndpointConfig("http://127.0.0.1:5055/webhook"))
    first = [
        UserUttered("is it painful", {"name": "ask_painful", "confidence": 0.9}),
        ActionExecuted("action_x"),
    ]
    first += [SlotSet("last_topic", "painful"), BotUttered("It can be."), ActionExecuted("action_listen")]
    latest = [
        UserUttered("tell me more", {"name": "ask_more", "confidence": 0.8}),
        ActionExecuted("action_y"),
    ]
    tracker = DialogueStateTracker.from_events("caller", [ActionExecuted("action_listen"), *first, *latest])

    ours, rasas = (
        action_call_with_current_turn(action, tracker, domain),
        action._action_call_format(tracker, domain),
    )
    assert ours["tracker"]["events"] == [event.as_dict() for event in latest]
    assert len(rasas["tracker"]["events"]) == 8
    for call in (ours, rasas):
        del call["tracker"]["events"]
    assert ours == rasas
    assert ours["tracker"]["slots"]["last_topic"] == "painful"
    assert ours["tracker"]["latest_message"]["text"] == "tell me more"

    before_any_message = DialogueStateTracker.from_events("new", [ActionExecuted("action_listen")])
    assert len(action_call_with_current_turn(action, before_any_message, domain)["tracker"]["events"]) == 1


@pytest.mark.parametrize("formats", [("coo", "coo"), ("csr", "coo"), ("coo", "csr")])
@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("float32", "float64")])
def test_sparse_features_join_as_with_scipy(formats, dtypes):
    import numpy as np
    import scipy.sparse

    from server.rasa_changes import side_by_side

    rng = np.random.default_rng(7)
    left = scipy.sparse.random(5, 30, 0.2, format=formats[0], dtype=dtypes[0], random_state=rng)
    right = scipy.sparse.random(5, 200, 0.05, format=formats[1], dtype=dtypes[1], random_state=rng)
    for pair in ((left, right), (left, scipy.sparse.coo_matrix((5, 0), dtype=dtypes[1]))):
        ours, scipys = side_by_side(*pair), scipy.sparse.hstack(list(pair))
        assert type(ours) is type(scipys) and ours.shape == scipys.shape and ours.dtype == scipys.dtype
        np.testing.assert_array_equal(ours.toarray(), scipys.toarray())


def test_features_of_different_lengths_are_still_refused():
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    from server.rasa_changes import combine_sparse_features_side_by_side

    def features(rows):
        return Features(scipy.sparse.coo_matrix(np.ones((rows, 2))), "sequence", "text", "origin")

    joined = features(3)
    combine_sparse_features_side_by_side(joined, features(3))
    assert joined.features.shape == (3, 4)
    with pytest.raises(ValueError, match="do not match"):
        combine_sparse_features_side_by_side(joined, features(2))
