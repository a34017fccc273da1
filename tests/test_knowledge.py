"""The knowledge base is traceable to the articles, complete and consistent with the domain."""

import re
from pathlib import Path

import pytest
import yaml

from actions.knowledge import CONDITION_INTENT, Passage, load_article_text, load_knowledge
from actions.replies import answer_reply

ROOT = Path(__file__).resolve().parent.parent
KB = load_knowledge()
ALL_PASSAGES = [(topic.id, passage) for topic in KB.topics.values() for passage in topic.answer + topic.more]
CONVERSATION_INTENTS = {
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "ask_human",
    "feedback",
    "ask_contact",
    "ask_capabilities",
    "ask_more",
    "ask_source",
    "out_of_scope",
    "ask_medical_advice",
    "ask_personal_safety",
    "off_topic",
    "emergency",
}


def article_lines(article_id):
    return load_article_text(article_id).splitlines()


@pytest.mark.parametrize(
    "topic_id, passage", ALL_PASSAGES, ids=[f"{t}:{p.quote[:30]}" for t, p in ALL_PASSAGES]
)
def test_every_quote_and_list_item_is_in_the_article_it_names(topic_id, passage):
    assert passage.quote in load_article_text(passage.article)
    lines = article_lines(passage.article)
    for item in passage.items:
        assert any(line.startswith(f"- {item}") for line in lines), item


@pytest.mark.parametrize(
    "topic_id, passage", ALL_PASSAGES, ids=[f"{t}:{p.quote[:30]}" for t, p in ALL_PASSAGES]
)
def test_every_citation_is_one_the_article_makes(topic_id, passage):
    for key in passage.cites:
        reference = KB.references[key]
        assert reference.article == passage.article
        surname = reference.citation.split()[0].rstrip(",")
        assert surname in load_article_text(passage.article)


def test_every_full_reference_is_quoted_from_its_article():
    for reference in KB.references.values():
        if reference.full:
            assert reference.full in article_lines(reference.article)


def test_every_answer_sentence_in_a_reply_is_article_text():
    """Whatever an answer says, apart from its framing (a passage's context: whose claim it is),
    source line and disclaimer, is article text or a citation."""
    for topic in KB.topics.values():
        reply = answer_reply(KB, topic, topic.answer)
        for passage, shown in zip(topic.answer, reply.payload["passages"], strict=True):
            text = re.sub(r" \((?:[A-Z][a-z]+(?: et al\.)?, \d{4}(?:; )?)+\)", "", shown["text"])
            text = re.sub(r"^(Clinic|Overview) article: ", "", text)
            text = text.removeprefix(f"{passage.context} " if passage.context else "")
            for line in text.split("\n"):
                line = line.removeprefix("\u2022 ")
                assert line in load_article_text(passage.article), line


def test_a_context_only_frames_its_quote():
    """A context says whose or what claim follows, in a few words ending in a colon; it adds no fact."""
    for _, passage in ALL_PASSAGES:
        if passage.context:
            assert passage.context.endswith(":") and len(passage.context.split()) <= 14, passage.context


@pytest.mark.parametrize("topic", KB.topics.values(), ids=lambda t: t.id)
def test_every_answer_names_its_source_and_carries_the_disclaimer(topic):
    reply = answer_reply(KB, topic, topic.answer)
    assert "not medical advice" in reply.text and "healthcare provider" in reply.text
    assert reply.payload["sources"]
    assert ("Source: " in reply.text) or ("Sources: " in reply.text)
    assert KB.articles[topic.answer[0].article].label in reply.text


def test_answers_with_studies_cite_them_as_author_year():
    reply = answer_reply(KB, KB.topics["benefits"], KB.topics["benefits"].answer)
    assert "(Kim et al., 2017)" in reply.text and "(Kamali et al., 2014)" in reply.text
    assert {c["key"] for c in reply.payload["citations"]} == {"kim2017", "kamali2014"}


def test_every_topic_intent_is_in_the_domain_and_every_domain_intent_is_handled():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    domain_intents = set(domain["intents"])
    assert set(KB.topic_intents) <= domain_intents
    assert domain_intents - set(KB.topic_intents) == CONVERSATION_INTENTS


def test_every_topic_intent_has_the_rule_that_answers_it():
    """The first rule of data/rules.yml answers exactly the topic intents of knowledge.yml."""
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]
    answering = [rule for rule in rules if rule["steps"][-1] == {"action": "action_answer_topic"}]
    assert len(answering) == 1
    ruled = {step["intent"] for step in answering[0]["steps"][0]["or"]}
    assert ruled == set(KB.topic_intents)


def test_every_intent_has_training_examples_but_emergency_which_triage_alone_decides():
    files = (ROOT / "data").glob("nlu*.yml")
    nlu = [block for path in files for block in yaml.safe_load(path.read_text())["nlu"]]
    trained = {block["intent"] for block in nlu if "intent" in block}
    assert trained == set(KB.topic_intents) | CONVERSATION_INTENTS - {"emergency"}


def test_every_line_of_an_examples_block_is_an_example():
    """A comment inside an examples block is text, not a comment: Rasa warns and misreads it."""
    for path in (ROOT / "data").glob("nlu*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block.get("examples", "").splitlines():
                assert not line.strip() or line.lstrip().startswith("- "), (path.name, line)


# A quote whose first sentence points at something it does not show ("This technique ...",
# "these receptors", "the researchers") needs that antecedent: quoted just before it, or a context.
POINTER = re.compile(
    r"^(?:This|It|These|They|That|Those|All|Such)\b|\b(?:these receptors|this technique|the two techniques|"
    r"the researchers)\b",
    re.IGNORECASE,
)
CITATION_OR_SPACE = re.compile(r"\([^)]*\)|[\s.-]")  # a dash: the bullet of a list line


def follows_directly(before, passage) -> bool:
    """Whether `passage` comes right after `before` in their article (citations between allowed)."""
    if before is None or before.article != passage.article or before.items:
        return False
    text = load_article_text(passage.article)
    end = text.find(before.quote) + len(before.quote)
    return not CITATION_OR_SPACE.sub("", text[end : text.find(passage.quote, end)])


def unexplained_pointers(passages) -> list[str]:
    """The quotes of `passages` that point at an antecedent that is neither quoted before nor given."""
    found = []
    for index, passage in enumerate(passages):
        first_sentence = re.split(r"(?<=[.!?])\s", passage.quote)[0]
        before = passages[index - 1] if index else None
        if POINTER.search(first_sentence) and not passage.context and not follows_directly(before, passage):
            found.append(passage.quote)
    return found


@pytest.mark.parametrize("topic", KB.topics.values(), ids=lambda t: t.id)
def test_a_quote_that_points_at_something_keeps_its_antecedent(topic):
    assert unexplained_pointers(topic.answer + topic.more) == []


def test_the_antecedent_check_flags_a_bare_pointer():
    bare = Passage(article="overview_article", quote="It is too strong for the pressure to deform it.")
    schleip = next(p for _, p in ALL_PASSAGES if p.quote.startswith("Fascial release is a well-established"))
    assert unexplained_pointers((bare,)) == [bare.quote]
    assert unexplained_pointers((schleip, bare)) == []


def test_related_topics_starters_and_citations_exist():
    assert KB.starter_topics and set(KB.starter_topics) <= set(KB.topics)
    for topic in KB.topics.values():
        assert set(topic.related) <= set(KB.topics), topic.id
        for passage in topic.answer + topic.more:
            assert set(passage.cites) <= set(KB.references), topic.id


@pytest.mark.parametrize("topic", KB.condition_topics, ids=lambda t: t.id)
def test_each_condition_is_found_by_its_own_name(topic):
    assert topic.intent == CONDITION_INTENT
    assert KB.condition_topic(topic.name) is topic


@pytest.mark.parametrize(
    "text, topic_id",
    [
        ("would it help heel pain from plantar fasciitis", "plantar_fasciitis"),
        ("what about a sprained ankle?", "ligament_sprains"),
        ("my achilles tendinitis", "tendinopathy"),
        ("pain between my shoulder blades, upper back", "thoracic_pain"),
        ("my chest is fine, it is my upper traps that are tight", "thoracic_pain"),
        ("chronic lower back pain", "low_back_pain"),
        ("scars from my knee surgery", "scar_tissue"),
        ("my muscles keep spasming, could this help", "muscle_spasms"),
        ("tendon above my heel feels achy when I walk", "tendinopathy"),
        ("the bottom of my foot stabs in the morning", "plantar_fasciitis"),
        ("not bendy at all, can't touch my toes", "flexibility"),
        ("one side of my body always feels tighter than the other", "musculoskeletal_imbalance"),
        ("my glutes don't kick in when I squat", "muscle_recruitment"),
        ("my knee aches when i climb stairs", "pain_with_movement"),
        ("can't catch my breath after climbing stairs, been like that for months", None),
        ("my back keeps going into spasm every time i lift something heavy", "muscle_spasms"),
        ("does it help migraines", None),
        ("does it help sciatica? pain shoots down the back of my leg", None),
        ("my knee pain came back after running, can IASTM help?", None),
        ("my back pain came back, can IASTM help?", "low_back_pain"),
        (
            "since I hurt my knee it won't bend all the way, can this help me get the bend back?",
            "range_of_motion",
        ),
        ("my knee bugs me since I started running and I go back on Thursday", None),
        ("my back is killing me", "low_back_pain"),
        ("my calves cramp up at night, would scraping help?", "muscle_spasms"),
        ("fine on the couch, but as soon as i move around my hip aches", "pain_with_movement"),
        ("i get terrible menstrual cramps, could IASTM help?", None),
        ("my period is brutal every month, can scraping ease that kind of cramping?", None),
        ("these knots in my upper traps never let go, can scraping help?", "myofascial_pain"),
        ("my lower back keeps going into spasms when I garden", "muscle_spasms"),
        ("my upper back is sore all the time", "thoracic_pain"),
        ("my calves cramp during long runs, a writer's cramp too, would scraping help?", "muscle_spasms"),
        ("is it romantic", None),
    ],
)
def test_condition_lookup_by_words(text, topic_id):
    topic = KB.condition_topic(text)
    assert (topic.id if topic else None) == topic_id


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("can the scraping really break up the scar tissue from my c-section?", "fascia_evidence"),
        ("¿de verdad el raspado rompe las adherencias?", "fascia_evidence"),
        ("does it work on scars from surgery?", "scar_tissue"),
    ],
)
def test_a_claim_about_a_condition_is_answered_by_its_evidence(text, topic_id):
    assert KB.as_asked(KB.condition_topic(text), text).id == topic_id


@pytest.mark.parametrize(
    ("text", "unanswered"),
    [
        ("How long do the results of scraping last?", True),
        ("how long will the relief from graston stick around", True),
        ("how long do the marks last?", False),  # bruising: the articles answer it
        ("how long does a session last?", False),  # a visit: the out-of-scope intent's
    ],
)
def test_questions_the_articles_never_answer_are_known_by_their_shape(text, unanswered):
    assert KB.leaves_unanswered(text) is unanswered


def test_every_claim_is_answered_by_a_topic():
    for topic in KB.topics.values():
        assert topic.claimed_by is None or (topic.claim_words and topic.claimed_by in KB.topics), topic.id


def test_place_terms_are_terms_of_their_topic():
    for topic in KB.topics.values():
        assert set(topic.place_terms) <= set(topic.terms), topic.id


def test_no_empty_article_list_is_answered_from_itself():
    """The overview article's 'used for' list is empty in the source: its lead-in is never an answer."""
    quotes = [passage.quote for _, passage in ALL_PASSAGES]
    assert not any("Some of the common conditions IASTM is used for include" in q for q in quotes)
    assert not any(q.startswith("Side effects may include") for q in quotes)
