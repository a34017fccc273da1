"""The benchmark's scoring: the evaluation set is well formed and replies are judged as documented."""

import yaml

from actions.knowledge import load_knowledge
from bench import baseline, dedupe, run
from bench.adversarial import adversarial_section
from bench.eval_set import EDGES, EvalItem, load_held_out, reply_is_right
from bench.quality import AnswerScores, intent_scores
from bench.triage_bench import red_flag_predictor, triage_section
from bench.triage_eval import score
from tests.test_knowledge import CONVERSATION_INTENTS
from triage.examples import NONE, Example

KB = load_knowledge()
PAINFUL = EvalItem("t-1", "plain", ("does it hurt",), ("ask_painful",), ("painful",), "answer")
PRICE = EvalItem("t-2", "no_answer", ("price?",), ("out_of_scope",), (None,), "no_answer")


def answer(topic, text="... not medical advice ...", sources=("clinic_article",)):
    return [{"text": text}, {"custom": {"type": "answer", "topic": topic, "sources": list(sources)}}]


def test_the_evaluation_set_names_only_known_intents_topics_and_types():
    items = load_held_out()
    assert len(items) >= 150 and sum(item.category.startswith(EDGES) for item in items) >= 100
    known_intents = set(KB.topic_intents) | CONVERSATION_INTENTS
    for item in items:
        assert set(item.intents) <= known_intents, item.id
        assert set(item.topics) <= set(KB.topics) | {None, "personal_safety"}, item.id
        assert item.reply_type in {"answer", "more", "no_more", "references", "no_answer", "declined",
                                   "off_topic", "emergency"}, item.id  # fmt: skip


def test_an_answer_needs_the_right_topic_a_source_and_the_disclaimer():
    assert reply_is_right(PAINFUL, answer("painful"))
    assert not reply_is_right(PAINFUL, answer("bruising"))
    assert not reply_is_right(PAINFUL, answer("painful", text="no disclaimer"))
    assert not reply_is_right(PAINFUL, answer("painful", sources=()))
    assert not reply_is_right(PAINFUL, [{"text": "a reply without payload"}])


def test_the_reference_list_is_right_as_an_answer_or_a_references_reply_whichever_the_label():
    for label in ("answer", "references"):
        asked = EvalItem(
            "t-r", "plain", ("list your references",), ("ask_references",), ("references",), label
        )
        assert reply_is_right(asked, answer("references"))
        assert reply_is_right(
            asked, [{"text": "...", "custom": {"type": "references", "topic": "references"}}]
        )
    follow_up = EvalItem(
        "t-f", "follow_up", ("x", "where is that from?"), ("ask_source",), ("painful",), "references"
    )
    assert not reply_is_right(follow_up, answer("painful"))


def test_a_no_answer_needs_the_no_answer_type():
    assert reply_is_right(PRICE, [{"text": "..."}, {"custom": {"type": "no_answer", "topic": None}}])
    assert not reply_is_right(PRICE, answer("painful"))


def test_a_message_of_two_questions_is_right_with_one_right_reply_and_no_wrong_answer():
    two_part = EvalItem(
        "t-3", "two_part", ("x",), ("ask_painful", "ask_bruising"), ("painful", "bruising"), "answer"
    )
    no_answer = [{"text": "..."}, {"custom": {"type": "no_answer", "topic": None}}]
    assert reply_is_right(two_part, answer("painful") + answer("bruising"))
    assert reply_is_right(PAINFUL, answer("painful") + no_answer)  # an honest no-answer to the other part
    assert not reply_is_right(PAINFUL, answer("painful") + answer("safety"))
    assert not reply_is_right(PRICE, no_answer + answer("painful"))
    assert not reply_is_right(PAINFUL, no_answer + no_answer)


def test_the_front_desks_contact_counts_as_a_no_answer_but_not_as_an_off_topic_reply():
    contact = [
        {
            "text": "The clinic's front desk books appointments...",
            "custom": {"type": "contact", "topic": None},
        }
    ]
    assert reply_is_right(PRICE, contact)
    off_topic = EvalItem("t-4", "off_topic", ("write me a poem",), ("off_topic",), (None,), "off_topic")
    assert not reply_is_right(off_topic, contact)


def test_intent_scores_accept_any_listed_intent():
    two_part = EvalItem("t-3", "two_part", ("x",), ("ask_painful", "ask_bruising"), ("painful",), "answer")
    scores = intent_scores([PAINFUL, two_part], {"does it hurt": "ask_painful", "x": "ask_bruising"}.get)
    assert scores.accuracy == 1.0 and scores.macro_f1 == 1.0
    scores = intent_scores([PAINFUL, PRICE], lambda text: "ask_painful")
    assert scores.accuracy == 0.5


def test_the_report_says_when_the_production_profile_was_not_measured(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "PROD_LOAD", tmp_path / "prod-load.json")
    assert "Not measured in this checkout" in "\n".join(run.prod_load_section())
    (tmp_path / "prod-load.json").write_text(
        '{"users": 200, "concurrent": 40, "messages": 800, "p50_ms": 1053, "p95_ms": 1964, '
        '"p99_ms": 2303, "messages_per_second": 27.9, "replica_killed": "one process killed"}'
    )
    section = "\n".join(run.prod_load_section())
    assert "800 messages: p50 1053 ms, p95 1964 ms" in section
    assert "0 message(s) stored twice" in section


def test_the_report_shows_the_containers_figures_when_make_test_deploy_wrote_them(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "DEPLOY_LOAD", tmp_path / "deploy-load.json")
    monkeypatch.setattr(run, "DEPLOY_ROUTING", tmp_path / "deploy-routing.json")
    assert "Not measured in this checkout" in "\n".join(run.containers_section())
    (tmp_path / "deploy-load.json").write_text(
        '{"users": 200, "concurrent": 40, "messages": 800, "p50_ms": 838, "p95_ms": 1260, "p99_ms": 1641, '
        '"messages_per_second": 49.3, "replica_killed": "one killed", "messages_stored_twice": 2}'
    )
    (tmp_path / "deploy-routing.json").write_text(
        '{"by conversation": {"messages": 400, "p50_ms": 661, "p95_ms": 1557, "p99_ms": 1865}, '
        '"round robin": {"messages": 400, "p50_ms": 686, "p95_ms": 1915, "p99_ms": 2213}, "users": 50}'
    )
    section = "\n".join(run.containers_section())
    assert (
        "800 messages: p50 838 ms, p95 1260 ms, p99 1641 ms" in section
        and "2 message(s) stored twice" in section
    )
    assert "| by conversation | 400 | 661 | 1557 | 1865 |" in section
    assert "| round robin | 400 | 686 | 1915 | 2213 |" in section and "50 users at once" in section


def test_triage_is_scored_by_category_with_every_miss_and_false_alarm_listed():
    examples = [
        Example("help he collapsed", "collapse_seizure", "collapse_seizure", "en"),
        Example("i want to die", "suicidal", "suicidal", "en"),
        Example("this is killing me lol", NONE, "idiom_joke", "en"),
        Example("no chest pain", NONE, "negated", "en"),
    ]
    guesses = {"help he collapsed": "heart_attack", "no chest pain": "heart_attack"}
    tiers = {
        "collapse_seizure": "life_threatening",
        "suicidal": "suicide_self_harm",
        "heart_attack": "life_threatening",
    }
    result = score(examples, guesses.get, tiers)
    assert (result.recall, result.false_alarm_rate) == (0.5, 0.5) and not result.targets_met
    assert result.misses == [("suicidal", "i want to die")]
    assert result.false_alarms == [("negated", "no chest pain")]
    section = "\n".join(triage_section({"ours": result, "regexes": result, "previous": result}))
    assert "- [suicidal] i want to die" in section and "- [negated] no chest pain" in section
    assert "| collapse_seizure | 1/1 |" in section and "| negated | 1/1 |" in section


def test_triage_targets_hold_in_every_category_not_only_overall():
    examples = [Example(f"emergency {i}", "stroke", "stroke", "en") for i in range(200)]
    examples += [Example("he collapsed", "collapse_seizure", "collapse_seizure", "en")]
    examples += [Example(f"fine {i}", NONE, "sport_body", "en") for i in range(200)]
    examples += [Example("i am dead lol", NONE, "idiom_joke", "en")]
    guesses = {e.text: e.label for e in examples if e.label == "stroke"} | {"i am dead lol": "stroke"}
    result = score(examples, guesses.get, {})
    assert result.recall > 0.99 and result.false_alarm_rate < 0.03
    assert result.lowest_category_recall == 0.0 and result.highest_category_false_alarm_rate == 1.0
    assert not result.targets_met


def test_a_baseline_that_names_no_category_is_scored_without_tiers():
    examples = [Example("help he collapsed", "collapse_seizure", "collapse_seizure", "en")]
    result = score(examples, lambda text: "flagged", {})
    assert result.recall == 1.0 and result.wrong_tier == []


def test_the_red_flag_baseline_applies_the_old_patterns():
    predict = red_flag_predictor()
    assert predict("I have crushing chest pain") == "chest_pain" and predict("is it painful?") is None


def test_the_adversarial_section_names_the_slowest_message_and_the_target():
    found = {"normal_ms": 10.0, "times_ms": {"run of spaces": 12.0, "forty questions": 25.0}}
    found |= {"slowest": "forty questions", "ratio": 2.5}
    section = "\n".join(adversarial_section(found))
    assert '"forty questions", 25 ms (2.5 times; target at most 3)' in section
    assert "| run of spaces | 12 |" in section


def test_a_slice_is_scored_over_its_own_items():
    scores = AnswerScores(
        0.75,
        {"plain": 1.0, EDGES + "studies": 0.5, EDGES + "safety": 1.0},
        counts={"plain": 2, EDGES + "studies": 4, EDGES + "safety": 2},
    )
    assert scores.accuracy_of(EDGES) == (0.5 * 4 + 1.0 * 2) / 6


def test_the_guard_compares_ours_with_main_before_issue_18_side_by_side():
    def load(p95):
        figures = {"p50": 50, "p95": p95, "p99": 200, "rate": 40.0, "errors": 0}
        return {users: figures for users in (1, 10, 50)}

    counts = {"plain": 2, EDGES + "x": 2}
    ours = AnswerScores(0.95, {"plain": 1.0, EDGES + "x": 1.0}, counts=counts)
    base = AnswerScores(0.9, {"plain": 0.5, EDGES + "x": 0.5}, ["q-1"], counts=counts)
    results = {
        "answers_ours": ours, "answers_baseline": base, "load": load(109), "load_baseline": load(100),
        "startup_seconds": 12.0, "startup_baseline": 14.0,
        "train_seconds": {"ours": 290.0, "baseline": 300.0},
    }  # fmt: skip
    section = "\n".join(baseline.guard_section(results))
    assert "| answer accuracy | 95.0% | 90.0% |" in section
    assert "| — edge slice | 100.0% | 50.0% |" in section
    assert "| p50 / p95 ms at 10 users | 50 / 109 | 50 / 100 |" in section
    assert "| training, s | 290 | 300 |" in section and "q-1" in section
    guard = run.TARGETS["p95 at 10 users within 10% of main before issue 18"]
    assert guard(results) and not guard({**results, "load": load(111)})
    quality = run.TARGETS["answer accuracy not below main before issue 18"]
    assert quality(results) and not quality({**results, "answers_baseline": AnswerScores(0.96)})


def test_load_tests_take_turns_each_repeat_starting_with_the_next_server(monkeypatch):
    calls = []

    class Result:
        def __init__(self, webhook):
            self.latency = {"a": 0.1, "b": 0.2, "c": 0.3}[webhook]
            self.errors, self.messages_per_second = 0, 1 / self.latency

        def percentile_ms(self, percent):
            return self.latency * 1000

    def fake_run_load(webhook, users, messages):
        calls.append((webhook, users))
        return Result(webhook)

    class Server:
        def __init__(self, webhook):
            self.webhook = webhook

    monkeypatch.setattr(run, "run_load", fake_run_load)
    monkeypatch.setattr(run, "LOAD_PLAN", {1: 5, 10: 2})
    figures = run.load_figures({"ours": Server("a"), "keyword": Server("b"), "baseline": Server("c")}, 3)
    warm_up, timed = calls[:3], calls[3:]
    assert [webhook for webhook, _ in warm_up] == ["a", "b", "c"]
    assert [webhook for webhook, users in timed if users == 1] == list("abc" "bca" "cab")
    assert [webhook for webhook, users in timed if users == 10] == list("abc" "bca" "cab")
    assert figures["ours"][10]["p95"] == 100 and figures["baseline"][1]["p50"] == 300
    assert figures["keyword"][1]["rate"] == 5 and figures["ours"][1]["errors"] == 0


def test_dedupe_drops_messages_the_project_holds_and_keeps_new_ones(tmp_path):
    new_set = tmp_path / "new.yml"
    new_set.write_text(
        "# a new set\nquestions:\n"
        "- {id: a, turns: ['what is IASTM?!'], type: answer}\n"
        "- {id: b, turns: ['a question nobody wrote before, zq'], type: off_topic}\n"
        "emergencies:\n- category: stroke\n  language: en\n  examples: |\n"
        "    - What is IASTM\n    - a message nobody wrote before, zq\n",
        encoding="utf-8",
    )
    assert dedupe.main([str(new_set)]) == 0
    kept = yaml.safe_load(new_set.read_text(encoding="utf-8"))
    assert [q["id"] for q in kept["questions"]] == ["b"]
    assert kept["emergencies"][0]["examples"] == "- a message nobody wrote before, zq\n"
    assert new_set.read_text(encoding="utf-8").startswith("# a new set\n")
