"""Custom actions: what they utter (text, buttons, payload) and the slots they set."""

from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor

from actions import fallback_action
from actions.answer_actions import ActionAnswerTopic, ActionShowSources, ActionTellMore, term_match_of
from actions.clinic import load_clinic
from actions.fallback_action import ActionSearchFallback
from actions.knowledge import STUDY_INTENT, STUDY_NAMED_KEY, TERM_INTENTS, load_knowledge
from actions.scope_actions import (
    ActionBotChallenge,
    ActionContact,
    ActionDeclineAdvice,
    ActionEmergency,
    ActionGreet,
    ActionNoAnswer,
    ActionOffTopic,
    ActionPersonalSafety,
)

KB = load_knowledge()
QUESTION_TOPICS = [topic for topic in KB.topics.values() if topic.intent not in TERM_INTENTS]


def only_message(dispatcher):
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


@pytest.mark.parametrize("topic", QUESTION_TOPICS, ids=lambda t: t.intent)
async def test_each_topic_intent_gets_its_answer(topic, dispatcher, make_tracker, domain):
    events = await ActionAnswerTopic().run(dispatcher, make_tracker(topic.intent, "question"), domain)
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "answer"
    assert message["custom"]["topic"] == topic.id
    assert topic.answer[0].quote in message["text"]
    assert "not medical advice" in message["text"]
    assert events == [SlotSet("last_topic", topic.id), SlotSet("more_given", False)]


async def test_painful_answer_cites_the_overview_article(dispatcher, make_tracker, domain):
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("ask_painful", "ouch is that scraping thing sore?"), domain
    )
    message = only_message(dispatcher)
    assert message["text"].startswith("If the older approach is used; YES.")
    assert message["custom"]["sources"] == [
        {"id": "overview_article", "title": KB.articles["overview_article"].label}
    ]


@pytest.mark.parametrize(
    "text, entities, topic_id",
    [
        ("would it help heel pain from plantar fasciitis", [], "plantar_fasciitis"),
        (
            "what about a sprained ankle?",
            [{"entity": "condition", "value": "sprained ankle"}],
            "ligament_sprains",
        ),
        ("/ask_condition", [{"entity": "condition", "value": "chronic low back pain"}], "low_back_pain"),
    ],
)
async def test_condition_questions_are_answered_from_the_condition_list(
    text, entities, topic_id, dispatcher, make_tracker, domain
):
    events = await ActionAnswerTopic().run(dispatcher, make_tracker("ask_condition", text, entities), domain)
    message = only_message(dispatcher)
    assert message["custom"]["topic"] == topic_id
    assert message["custom"]["citations"], "a condition answer cites its study"
    assert SlotSet("last_topic", topic_id) in events


@pytest.mark.parametrize("topic", KB.topics_of(STUDY_INTENT), ids=lambda t: t.id)
async def test_a_study_asked_by_name_gets_what_the_article_says_of_it_and_its_reference(
    topic, dispatcher, make_tracker, domain
):
    question = f"what did the {topic.terms[0].title()} study find?"
    await ActionAnswerTopic().run(dispatcher, make_tracker(STUDY_INTENT, question), domain)
    message = only_message(dispatcher)
    reference = KB.references[topic.reference]
    assert message["custom"]["topic"] == topic.id
    assert reference.citation in message["text"]
    assert (reference.full or "gives no full reference") in message["text"]


async def test_a_misspelt_cited_name_gets_the_study_that_nlu_named(dispatcher, make_tracker, domain):
    tracker = make_tracker(STUDY_INTENT, "what did that kamalli 2014 study show")
    tracker.latest_message[STUDY_NAMED_KEY] = "study_kamali"
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert only_message(dispatcher)["custom"]["topic"] == "study_kamali"


async def test_an_uncited_author_nlu_found_is_not_taken_for_the_study_a_word_describes(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(STUDY_INTENT, "What did the Markham 2018 meta-analysis conclude?")
    tracker.latest_message[STUDY_NAMED_KEY] = ""  # not Williams's, the cited meta-analysis
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert (only_message(dispatcher)["custom"]["type"], only_message(dispatcher)["custom"]["topic"]) == (
        "no_answer",
        None,
    )


async def test_a_study_the_articles_do_not_cite_gets_an_honest_no_and_the_studies_they_do(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(STUDY_INTENT, "what did the Smith trial find")
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert (message["custom"]["type"], message["custom"]["topic"]) == ("no_answer", None)
    assert "do not cite that study" in message["text"]
    assert all(reference.citation in message["text"] for reference in KB.references.values())


@pytest.mark.parametrize(
    "question",
    [
        "is scraping safe with my eczema?",
        "is it safe for my plantar fasciitis?",
        "any risk with lymphedema",
        "my eczema flares on my arms, is it ok to use the tools on skin like that?",
    ],
)
async def test_a_condition_question_about_safety_gets_the_personal_safety_reply(
    question, dispatcher, make_tracker, domain
):
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_condition", question), domain)
    message = only_message(dispatcher)
    assert (message["custom"]["type"], message["custom"]["topic"]) == ("no_answer", "personal_safety")
    assert message["response"] == "utter_personal_safety"


@pytest.mark.parametrize(
    ("intent", "question"),
    [
        ("ask_effectiveness", "how long will the benefits of graston last?"),
        ("ask_benefits", "¿cuánto duran los efectos del raspado?"),
    ],
)
async def test_a_question_the_articles_never_answer_gets_the_no_answer_whatever_its_intent(
    intent, question, dispatcher, make_tracker, domain
):
    await ActionAnswerTopic().run(dispatcher, make_tracker(intent, question), domain)
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "no_answer"
    assert message["response"].startswith("utter_no_answer")  # in Spanish: utter_no_answer_es


async def test_a_claim_questioned_about_a_condition_gets_the_evidence_on_it(dispatcher, make_tracker, domain):
    question = "does it really break up scar tissue?"
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_condition", question), domain)
    assert only_message(dispatcher)["custom"]["topic"] == "fascia_evidence"


async def test_a_word_the_articles_do_not_use_is_answered_with_a_note_saying_so(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker("ask_condition", "would it help my tennis elbow?")
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"]["topic"] == "tendinopathy"
    assert message["text"].startswith('The articles do not mention "tennis elbow" as such.')
    assert "patellar, elbow, and Achilles tendons" in message["text"]


@pytest.mark.parametrize(
    "question, note",
    [
        ("felt tired after the session, is that normal?", 'The articles do not mention "tired" as such.'),
        ("my skin itches where they scraped", 'The articles do not mention "itches" as such.'),
        ("why do I get red dots after graston?", None),
        ("bruised and a bit itchy after the session", None),
    ],
)
async def test_an_after_effect_the_articles_do_not_name_is_said_to_be_unnamed_first(
    question, note, dispatcher, make_tracker, domain
):
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_bruising", question), domain)
    message = only_message(dispatcher)
    assert message["custom"]["topic"] == "bruising"
    assert message["text"].startswith(note or "Ecchymosis (bruising)")
    assert "Ecchymosis (bruising) and Petechiae" in message["text"]


@pytest.mark.parametrize(
    "question, topic, start",
    [
        ("is it normal to feel tingly after graston?", "bruising", 'The articles do not mention "tingly"'),
        ("can iastm help the tingling in my hands?", None, "The articles do not say whether IASTM helps"),
    ],
)
async def test_a_condition_question_about_how_one_feels_after_a_session_gets_the_after_effects(
    question, topic, start, dispatcher, make_tracker, domain
):
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_condition", question), domain)
    message = only_message(dispatcher)
    assert message["custom"].get("topic") == topic
    assert message["text"].startswith(start)


@pytest.mark.parametrize(
    "greeting, response",
    [("hello there", "utter_greet"), ("hola, buenas tardes", "utter_greet_es"), ("hola", "utter_greet_es")],
)
async def test_a_greeting_is_answered_in_its_language(greeting, response, dispatcher, make_tracker, domain):
    await ActionGreet().run(dispatcher, make_tracker("greet", greeting), domain)
    assert only_message(dispatcher)["response"] == response
    assert response in yaml.safe_load((Path(__file__).parent.parent / "domain.yml").read_text())["responses"]


async def test_whether_it_is_safe_for_someone_gets_no_reassurance(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_personal_safety", "i'm pregnant, is graston safe for me?")
    await ActionPersonalSafety().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["response"] == "utter_personal_safety"
    assert message["custom"] == {**message["custom"], "type": "no_answer", "topic": "personal_safety"}
    assert message["custom"]["contact"] == load_clinic().contact
    responses = yaml.safe_load((Path(__file__).parent.parent / "domain.yml").read_text())["responses"]
    said = responses["utter_personal_safety"][0]["text"]
    assert "don't say who should not have IASTM" in said and "{clinic_contact}" in said
    assert "negative events" not in said and "without causing damage" not in said


async def test_a_condition_the_articles_do_not_name_gets_an_honest_no_answer(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        "ask_condition", "does it help migraines", [{"entity": "condition", "value": "migraines"}]
    )
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "no_answer"
    assert 'do not mention "migraines"' in message["text"]
    assert load_clinic().phone in message["text"]
    assert "citations" not in message["custom"]
    assert events == []


async def test_a_stray_piece_of_a_name_is_not_named_in_the_no_answer(dispatcher, make_tracker, domain):
    entities = [{"entity": "condition", "value": "'s"}, {"entity": "condition", "value": "-"}]
    tracker = make_tracker("ask_condition", "Raynaud's and IASTM - does it help?", entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "no_answer", "condition": None}
    assert message["text"].startswith("The articles do not say whether IASTM helps with that.")


async def test_a_body_part_alone_is_named_in_the_no_answer(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_condition", "what about my knee", [{"entity": "body_part", "value": "knee"}])
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "no_answer", "condition": "knee"}


async def test_tell_more_gives_further_passages_once_then_related_topics(dispatcher, make_tracker, domain):
    slots = {"last_topic": "painful", "more_given": False}
    events = await ActionTellMore().run(
        dispatcher, make_tracker("ask_more", "tell me more", slots=slots), domain
    )
    assert dispatcher.messages[0]["custom"]["type"] == "more"
    assert KB.topics["painful"].more[0].quote in dispatcher.messages[0]["text"]
    assert events == [SlotSet("more_given", True)]

    slots["more_given"] = True
    await ActionTellMore().run(dispatcher, make_tracker("ask_more", "why?", slots=slots), domain)
    second = dispatcher.messages[1]
    assert second["custom"]["type"] == "no_more"
    assert [b["payload"] for b in second["buttons"]] == ["/ask_bruising", "/ask_approaches", "/ask_safety"]


async def test_more_on_a_listed_condition_says_the_articles_say_no_more_on_it_then_how_it_works(
    dispatcher, make_tracker, domain
):
    slots = {"last_topic": "plantar_fasciitis", "more_given": False}
    tracker = make_tracker("ask_more", "could you elaborate?", slots=slots)
    await ActionTellMore().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert (message["custom"]["type"], message["custom"]["topic"]) == ("more", "plantar_fasciitis")
    assert "The articles say no more on this condition itself." in message["text"]
    assert "stretch the adhesions" in message["text"] and "(Kim et al., 2017)" in message["text"]


async def test_follow_up_without_a_topic_suggests_questions(dispatcher, make_tracker, domain):
    await ActionTellMore().run(dispatcher, make_tracker("ask_more", "why?"), domain)
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "no_topic"
    assert len(message["buttons"]) == 4


async def test_asking_for_the_studies_before_any_answer_lists_the_articles_references(
    dispatcher, make_tracker, domain
):
    events = await ActionShowSources().run(
        dispatcher, make_tracker("ask_source", "what studys do u cite"), domain
    )
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "answer", "topic": "references"}
    assert SlotSet("last_topic", "references") in events


async def test_asking_for_the_references_after_an_answer_gives_that_answers_unless_all_are_asked_for(
    dispatcher, make_tracker, domain
):
    after_bruising = {"last_topic": "bruising", "more_given": False}
    tracker = make_tracker("ask_references", "can you give me the references", slots=after_bruising)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert only_message(dispatcher)["custom"]["type"] == "references"
    assert only_message(dispatcher)["custom"]["topic"] == "bruising"
    dispatcher.messages.clear()
    tracker = make_tracker("ask_references", "list all your references", slots=after_bruising)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "answer", "topic": "references"}


async def test_show_sources_gives_full_references(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        "ask_source", "which study says so?", slots={"last_topic": "vs_spinal_manipulation"}
    )
    await ActionShowSources().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "references"
    assert "Chiropractic & manual therapies, 24, 16." in message["text"]


async def test_show_sources_for_a_study_without_full_reference_says_so(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_source", "source?", slots={"last_topic": "tendinopathy"})
    await ActionShowSources().run(dispatcher, tracker, domain)
    text = only_message(dispatcher)["text"]
    assert "Imai, 2015: the article cites this study but gives no full reference." in text
    assert "Astym® therapy: a systematic review" in text


async def test_show_sources_when_the_answer_cites_no_study(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_source", "says who?", slots={"last_topic": "history"})
    await ActionShowSources().run(dispatcher, tracker, domain)
    assert "cites no study" in only_message(dispatcher)["text"]


@pytest.mark.parametrize(
    "action, response, reply_type",
    [
        (ActionNoAnswer, "utter_no_answer", "no_answer"),
        (ActionDeclineAdvice, "utter_decline_advice", "declined"),
        (ActionOffTopic, "utter_off_topic", "off_topic"),
        (ActionBotChallenge, "utter_iamabot", "about_assistant"),
        (ActionContact, "utter_contact", "contact"),
    ],
)
async def test_scope_replies_use_their_response_and_the_clinic_contact(
    action, response, reply_type, dispatcher, make_tracker, domain
):
    await action().run(dispatcher, make_tracker("out_of_scope", "how much does it cost"), domain)
    message = only_message(dispatcher)
    assert message["response"] == response
    assert message["custom"]["type"] == reply_type
    assert message["clinic_contact"] == "Dr. Alex Jimenez, DC at 915-850-0900"


@pytest.mark.parametrize(
    "action",
    [
        ActionNoAnswer,
        ActionDeclineAdvice,
        ActionOffTopic,
        ActionPersonalSafety,
        ActionSearchFallback,
        ActionBotChallenge,
        ActionContact,
    ],
)
async def test_a_message_in_spanish_gets_the_spanish_scope_reply_which_says_answers_are_english(
    action, dispatcher, make_tracker, domain
):
    tracker = make_tracker("nlu_fallback", "estoy embarazada, ¿puedo recibir el raspado en la espalda?")
    await action().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["response"].endswith("_es") and message["custom"]["language"] == "es"
    responses = yaml.safe_load((Path(__file__).parent.parent / "domain.yml").read_text())["responses"]
    said = responses[message["response"]][0]["text"]
    assert "{clinic_contact}" in said
    if action is ActionPersonalSafety:
        assert "no dicen quién no debe recibir IASTM" in said  # no reassurance, in Spanish too
    else:
        assert "inglés" in said  # says the answers are English


async def test_an_english_message_gets_the_english_scope_reply(dispatcher, make_tracker, domain):
    await ActionOffTopic().run(dispatcher, make_tracker("off_topic", "what's the weather like?"), domain)
    message = only_message(dispatcher)
    assert message["response"] == "utter_off_topic" and message["custom"]["language"] == "en"


def test_every_scope_reply_has_a_spanish_version():
    responses = yaml.safe_load((Path(__file__).parent.parent / "domain.yml").read_text())["responses"]
    for action in (
        ActionNoAnswer,
        ActionDeclineAdvice,
        ActionOffTopic,
        ActionPersonalSafety,
        ActionBotChallenge,
    ):
        assert action.response + "_es" in responses


@pytest.mark.parametrize(
    ("assessment", "responses"),
    [
        (
            {"tier": "life_threatening", "category": "stroke", "sure": True, "language": "en"},
            ["utter_emergency_life_threatening"],
        ),
        (
            {"tier": "suicide_self_harm", "category": "suicidal", "sure": False, "language": "en"},
            ["utter_emergency_suicide_self_harm_unsure"],
        ),
        (
            {"tier": "poisoning_overdose", "category": "overdose", "sure": True, "language": "es",
             "also_crisis": True},
            ["utter_emergency_poisoning_overdose_es", "utter_emergency_crisis_line_es"],
        ),
        (
            {"tier": "urgent_after_treatment", "category": "nerve_signs", "sure": True, "language": "en"},
            ["utter_emergency_urgent_after_treatment"],
        ),
        (None, ["utter_emergency_life_threatening"]),  # no assessment: the most urgent advice
    ],
)  # fmt: skip
async def test_emergency_answers_with_its_tiers_reply_and_numbers(
    assessment, responses, dispatcher, make_tracker, domain
):
    tracker = make_tracker("emergency", "an emergency")
    if assessment:
        tracker.latest_message["triage"] = assessment
    await ActionEmergency().run(dispatcher, tracker, domain)
    assert [message["response"] for message in dispatcher.messages] == responses
    payload = dispatcher.messages[0]["custom"]
    assert payload["type"] == "emergency" and payload["tier"] == (assessment or {}).get(
        "tier", "life_threatening"
    )
    assert not any(message.get("custom") for message in dispatcher.messages[1:])  # one payload a turn
    numbers = {
        key: dispatcher.messages[0][key] for key in ("emergency_number", "crisis_line", "poison_control")
    }
    assert numbers == {"emergency_number": "911", "crisis_line": "988", "poison_control": "1-800-222-1222"}


async def test_fallback_offers_the_closest_passage_marked_as_such(dispatcher, make_tracker, domain):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_nervous_system", "confidence": 0.2}]
    tracker = make_tracker(
        "nlu_fallback", "ten times the nerve receptors compared to muscle?", intent_ranking=ranking
    )
    events = await ActionSearchFallback().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["text"].startswith(KB.wording["search_intro"])
    assert "The fascia contains 10 times the sensory nerve receptors compared to muscle." in message["text"]
    assert message["custom"]["type"] == "closest_passage"
    assert message["buttons"][0]["payload"] == "/ask_nervous_system"
    assert SlotSet("last_topic", "nervous_system") in events


async def test_fallback_answers_when_the_search_finds_the_topic_nlu_leaned_to(
    dispatcher, make_tracker, domain
):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_nervous_system", "confidence": 0.3}]
    tracker = make_tracker(
        "nlu_fallback", "ten times the nerve receptors compared to muscle?", intent_ranking=ranking
    )
    events = await ActionSearchFallback().run(dispatcher, tracker, domain)
    assert (only_message(dispatcher)["custom"]["type"], only_message(dispatcher)["custom"]["topic"]) == (
        "answer",
        "nervous_system",
    )
    assert SlotSet("last_topic", "nervous_system") in events


async def test_fallback_with_only_a_weak_guess_asks_did_you_mean(dispatcher, make_tracker, domain):
    ranking = [{"name": "ask_bruising", "confidence": 0.35}, {"name": "ask_safety", "confidence": 0.3}]
    await ActionSearchFallback().run(
        dispatcher, make_tracker("nlu_fallback", "hmm the colour thing", intent_ranking=ranking), domain
    )
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "did_you_mean"
    assert [b["payload"] for b in message["buttons"]] == ["/ask_bruising", "/ask_safety", "/ask_human"]


async def test_fallback_with_nothing_close_is_the_honest_no_answer(dispatcher, make_tracker, domain):
    ranking = [{"name": "greet", "confidence": 0.2}]
    await ActionSearchFallback().run(
        dispatcher, make_tracker("nlu_fallback", "blorp zibble", intent_ranking=ranking), domain
    )
    assert only_message(dispatcher)["response"] == "utter_no_answer"


async def test_an_unreadable_message_is_told_so_with_popular_questions(dispatcher, make_tracker, domain):
    tracker = make_tracker("nlu_fallback", "asdfghjkl", intent_ranking=[{"name": "greet", "confidence": 0.3}])
    tracker.latest_message[fallback_action.UNREADABLE_KEY] = True
    await ActionSearchFallback().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["text"].startswith(KB.wording["unreadable"])
    assert message["custom"]["type"] == "no_topic"
    assert [b["payload"] for b in message["buttons"]][:1] == ["/ask_what_is"]


async def test_fallback_leaning_to_an_unnamed_condition_is_the_honest_no_answer(
    dispatcher, make_tracker, domain
):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_condition", "confidence": 0.3}]
    entities = [{"entity": "condition", "value": "vertigo"}]
    tracker = make_tracker("nlu_fallback", "could it sort out my vertigo", entities, intent_ranking=ranking)
    events = await ActionSearchFallback().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "no_answer", "condition": "vertigo"}
    assert 'do not mention "vertigo"' in message["text"]
    assert events == []


async def test_fallback_leaning_to_a_condition_the_articles_name_answers_that_condition(
    dispatcher, make_tracker, domain
):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_condition", "confidence": 0.3}]
    tracker = make_tracker("nlu_fallback", "scraping and plantar fasciitis", intent_ranking=ranking)
    await ActionSearchFallback().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert (message["custom"]["type"], message["custom"]["topic"]) == ("answer", "plantar_fasciitis")


def test_the_action_server_registers_every_action_the_domain_names():
    executor = ActionExecutor()
    executor.register_package("actions")
    domain_actions = yaml.safe_load((Path(__file__).parent.parent / "domain.yml").read_text())["actions"]
    assert set(domain_actions) <= set(executor.actions)


async def test_an_empty_message_gets_popular_questions(dispatcher, make_tracker, domain):
    await ActionSearchFallback().run(dispatcher, make_tracker(None, "   "), domain)
    message = only_message(dispatcher)
    assert message["custom"]["type"] == "no_topic" and message["buttons"]


async def test_asking_about_my_problem_without_naming_it_is_answered_honestly(
    dispatcher, make_tracker, domain
):
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("ask_condition", "would it help my problem"), domain
    )
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "no_answer", "condition": None}
    assert message["text"].startswith("The articles do not say whether IASTM helps with that.")


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        (
            "My physio says my neck pain comes from tight muscles. Would scraping help a stiff neck?",
            "range_of_motion",
        ),
        ("Back pain for years from spasms. Does IASTM help with spasms?", "muscle_spasms"),
        ("I have plantar fasciitis. Can it help?", "plantar_fasciitis"),  # nothing named in the question
        ("can it help my lower back pain and my spasms", "low_back_pain"),  # one sentence: the longest term
    ],
)
def test_the_condition_asked_about_is_read_from_the_question_first(text, topic_id):
    kb = load_knowledge()
    assert term_match_of(kb, "ask_condition", {"text": text, "entities": []}).topic.id == topic_id


def test_a_question_after_a_story_keeps_the_storys_meaning_of_its_words():
    """'That kind of cramping' after period cramps is no muscle spasm (`near_terms_unless`)."""
    kb = load_knowledge()
    story = "Period cramps every month are brutal. Can IASTM help that kind of cramping?"
    assert term_match_of(kb, "ask_condition", {"text": story, "entities": []}) is None
    calves = "My calves lock up on long runs. Can IASTM help that kind of cramping?"
    assert term_match_of(kb, "ask_condition", {"text": calves, "entities": []}).topic.id == "muscle_spasms"


def test_a_name_found_by_nlu_is_read_in_its_sentence_and_a_corrected_one_alone():
    kb = load_knowledge()

    def entity(value: str, start: int = 0) -> dict:
        return {"entity": "body_part", "value": value, "start": start, "end": start + len(value)}

    text = "does it help sciatica? pain shoots down the back of my leg"
    assert term_match_of(kb, "ask_condition", {"text": text, "entities": [entity("back", 44)]}) is None
    corrected = {"text": "does it help my bak?", "entities": [entity("back", 16)]}
    assert term_match_of(kb, "ask_condition", corrected).topic.id == "low_back_pain"


@pytest.mark.parametrize(
    ("intent", "text", "topic_id"),
    [
        # a general question about a condition the articles name gets that condition's findings
        ("ask_effectiveness", "any real proof it helps plantar fasciitis?", "plantar_fasciitis"),
        ("ask_benefits", "will scraping calm down my muscle spasms?", "muscle_spasms"),
        ("ask_uses", "My low back has ached for years. Do therapists use IASTM for that?", "low_back_pain"),
        (
            "ask_effectiveness",
            "I've got painful knots in my shoulders. Can the tool work those out?",
            "myofascial_pain",
        ),
        # the story names a condition, the question asks about IASTM in general
        ("ask_benefits", "I have plantar fasciitis. What are the benefits of IASTM overall?", "benefits"),
        ("ask_effectiveness", "does IASTM actually work?", "effectiveness"),
    ],
)
async def test_a_general_question_naming_a_condition_gets_the_conditions_answer(
    intent, text, topic_id, dispatcher, make_tracker, domain
):
    await ActionAnswerTopic().run(dispatcher, make_tracker(intent, text), domain)
    assert only_message(dispatcher)["custom"]["topic"] == topic_id


async def test_a_general_question_naming_a_condition_the_articles_do_not_name_gets_the_no_answer(
    dispatcher, make_tracker, domain
):
    text = "My doctor says it's lupus. Does IASTM help lupus?"
    lupus = {"entity": "condition", "value": "lupus", "start": text.rindex("lupus"), "end": len(text) - 1}
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_how_it_works", text, [lupus]), domain)
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "no_answer", "condition": "lupus"}


@pytest.mark.parametrize(
    ("text", "entities", "named", "not_named"),
    [
        # a term of the articles not read as one is not named
        (
            "my knee pain came back after hiking, would IASTM help?",
            [("condition", "back", 18, 22), ("body_part", "knee", 3, 7)],
            "knee",
            '"back"',
        ),
        # pieces of one name are named whole
        (
            "i get awful period cramps, would IASTM help?",
            [("condition", "awful", 6, 11), ("condition", "cramps", 19, 25)],
            "awful period cramps",
            '"awful"',
        ),
    ],
)
async def test_the_no_answer_names_what_was_read_as_a_name(
    text, entities, named, not_named, dispatcher, make_tracker, domain
):
    found = [
        {"entity": kind, "value": value, "start": start, "end": end} for kind, value, start, end in entities
    ]
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_condition", text, found), domain)
    message = only_message(dispatcher)
    assert message["custom"] == {**message["custom"], "type": "no_answer", "condition": named}
    assert not_named not in message["text"]


async def test_two_questions_keep_the_general_answer(dispatcher, make_tracker, domain):
    text = "how does scraping work? and can it break up my scar tissue?"
    await ActionAnswerTopic().run(dispatcher, make_tracker("ask_how_it_works", text), domain)
    assert only_message(dispatcher)["custom"]["topic"] == "how_it_works"


@pytest.mark.parametrize(
    "text", ["what about plantar fasciitis?", "and plantar fasciitis??", "how about plantar fasciitis"]
)
async def test_a_condition_named_with_little_else_under_nlu_s_fallback_gets_that_condition(
    text, dispatcher, make_tracker, domain
):
    """A follow-up that only names a condition ("what about plantar fasciitis?") is that condition's
    question, whatever weak guess NLU had."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "off_topic", "confidence": 0.23}]
    entities = [{"entity": "condition", "value": "plantar fasciitis"}]
    tracker = make_tracker("nlu_fallback", text, entities=entities, intent_ranking=ranking)
    await ActionSearchFallback().run(dispatcher, tracker, domain)
    message = only_message(dispatcher)
    assert (message["custom"]["type"], message["custom"]["topic"]) == ("answer", "plantar_fasciitis")


async def test_a_long_message_that_names_a_condition_under_nlu_s_fallback_is_not_taken_for_it(
    dispatcher, make_tracker, domain
):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "out_of_scope", "confidence": 0.3}]
    text = "how much would my insurance pay for plantar fasciitis visits this year"
    tracker = make_tracker("nlu_fallback", text, intent_ranking=ranking)
    await ActionSearchFallback().run(dispatcher, tracker, domain)
    assert only_message(dispatcher)["custom"]["type"] != "answer"  # a closest passage or suggestions
