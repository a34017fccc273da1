"""Misspelt words become the assistant's own words; right words, short words and capitals stay."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions import fallback_action
from nlu_addons.spelling import SpellingCorrector
from nlu_addons.spelling_corrector import TEXT_AS_TYPED_KEY, UNREADABLE_KEY, SpellingCorrectorComponent
from nlu_addons.unreadable import UnreadableMessageClassifier

EXAMPLES = [
    "is the graston technique painful",
    "is graston painful",
    "how long is a graston session",
    "does graston technique cause bruising",
    "what is iastm",
    "what is iastm exactly",
    "does grastin hurt",  # a typo among the examples, seen once against "graston" seen 5 times
    "is it safe in pregnancy",
    "I don't get it",
    "is the pseudo fake ultrasound real",  # "puedo" is one swap and one letter away
    "does it mess up the skin",  # and "meses" one letter
]
ARTICLES = ["Instrument-assisted soft tissue mobilization (IASTM) such as the Graston Technique. Morad 2019."]


@pytest.fixture(scope="module")
def corrector() -> SpellingCorrector:
    return SpellingCorrector.from_texts(EXAMPLES, ARTICLES)


@pytest.mark.parametrize(
    "typed, corrected",
    [
        ("is grastn techniqe paineful?", "is graston technique painful?"),
        ("wat is iatsm", "wat is iastm"),  # "wat" is too short to correct
        ("will i get brusing", "will i get bruising"),
        ("Is the Grastin Techniqe safe in pregancy?", "Is the Graston Technique safe in pregnancy?"),
        ("IASMT for runners", "IASTM for runners"),
        ("i dont get it", "i don't get it"),
        ("isnt it safe", "isn't it safe"),
        ("which studys", "which studys"),
    ],
)
def test_misspelt_words_are_corrected(corrector, typed, corrected):
    assert corrector.correct(typed) == corrected


@pytest.mark.parametrize(
    "text",
    [
        "does it hurt my knee",  # common English words, even near a domain word
        "massage or message",
        "thx u",  # short words
        "Morad says so",  # a word of the articles is never a typo
        "is it safe, doesn't it bruise?",
        "will it cure my gout",  # a rare English word is not read as a short one ("out")
    ],
)
def test_right_words_are_kept(corrector, text):
    assert corrector.correct(text) == text


def test_a_typo_seen_in_the_examples_is_read_as_the_frequent_word(corrector):
    assert corrector.correct_word("grastin") == "graston"


def test_a_swap_of_neighbours_counts_as_one_edit():
    """A short word may be one edit from its correction: a swap is one edit, a swap and a substitution two."""
    corrector = SpellingCorrector({"ache": 3, "graston": 5, "painful": 4}, english={})
    assert corrector.correct_word("ahce") == "ache"  # a swap
    assert corrector.correct_word("acge") == "ache"  # a substitution
    assert corrector.correct_word("ahcr") == "ahcr"  # a swap and a substitution: two edits
    assert corrector.correct_word("grastn") == "graston"  # a deletion
    assert corrector.correct_word("paineful") == "painful"  # an insertion
    assert corrector.correct_word("gratsno") == "graston"  # two swaps, for a longer word
    assert corrector.correct_word("gartsno") == "gartsno"  # three swaps


def test_the_nearest_then_most_frequent_then_first_word_is_chosen():
    corrector = SpellingCorrector(
        {"bruise": 2, "cruise": 9, "bruised": 50, "fleece": 3, "fleecy": 3}, english={}
    )
    assert corrector.correct_word("bruese") == "bruise"  # one edit, against "cruise" two and "bruised" two
    assert corrector.correct_word("druise") == "cruise"  # one edit from both: the more frequent
    assert corrector.correct_word("fleeca") == "fleece"  # one edit from both, as often: alphabetical


@pytest.fixture
def trained_component(tmp_path) -> SpellingCorrectorComponent:
    """The Rasa component trained on the examples and an articles folder, then loaded back."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    resource = Resource("spelling")
    context = ExecutionContext(graph_schema=None)
    config = {**SpellingCorrectorComponent.get_default_config(), "articles": str(articles)}
    untrained = SpellingCorrectorComponent.create(config, storage, resource, context)
    untrained.train(TrainingData([Message(data={TEXT: text}) for text in EXAMPLES]))
    return SpellingCorrectorComponent.load(config, storage, resource, context)


def test_the_component_corrects_messages_and_keeps_the_text_as_typed(trained_component):
    message = Message(data={TEXT: "is grastn paineful"})
    right = Message(data={TEXT: "is graston painful"})
    trained_component.process([message, right])
    assert message.get(TEXT) == "is graston painful"
    assert message.get(TEXT_AS_TYPED_KEY) == "is grastn paineful"
    assert TEXT_AS_TYPED_KEY in message.as_dict(only_output_properties=True)
    assert right.get(TEXT_AS_TYPED_KEY) is None


def test_the_component_leaves_a_spanish_message_as_typed(trained_component):
    spanish = "estoy embarazada de 6 meses, ¿puedo recibir el raspado en la espalda?"
    message = Message(data={TEXT: spanish})
    trained_component.process([message])
    assert message.get(TEXT) == spanish and message.get(TEXT_AS_TYPED_KEY) is None


def test_the_component_leaves_intent_payloads_and_training_examples_alone(trained_component):
    payload = Message(data={TEXT: "/greet"})
    trained_component.process([payload])
    assert payload.get(TEXT) == "/greet"
    data = TrainingData([Message(data={TEXT: "is grastn paineful"})])
    assert (
        trained_component.process_training_data(data).training_examples[0].get(TEXT) == "is grastn paineful"
    )


@pytest.mark.parametrize(
    ("text", "unreadable"),
    [
        ("asdfghjkl", True),
        ("qwe rty uiop zxcv", True),  # no word known, one without a vowel
        ("JJJJJJJJJJJJ", True),  # a row of one letter is no "j"
        ("is grastn paineful", False),  # corrected
        ("hiii", False),  # a word drawn out
        ("lmao", False),  # unknown, but nothing like a mash
        ("123456789 ???", False),  # no words
    ],
)
def test_a_message_of_keys_hit_at_random_is_unreadable(corrector, text, unreadable):
    assert corrector.unreadable(corrector.correct(text)) is unreadable


def test_the_component_marks_an_unreadable_message_but_not_a_spanish_one(trained_component):
    mashed, spanish = Message(data={TEXT: "asdfghjkl"}), Message(data={TEXT: "¿qué es? sdfghjk"})
    trained_component.process([mashed, spanish])
    assert mashed.get(UNREADABLE_KEY) is True
    assert UNREADABLE_KEY in mashed.as_dict(only_output_properties=True)
    assert spanish.get(UNREADABLE_KEY) is None  # Spanish is left as typed


def test_an_unreadable_message_gets_the_fallback_intent_and_others_keep_theirs():
    unreadable = Message(data={TEXT: "asdfghjkl", UNREADABLE_KEY: True})
    unreadable.set(INTENT, {"name": "goodbye", "confidence": 0.7})
    readable = Message(data={TEXT: "bye"})
    readable.set(INTENT, {"name": "goodbye", "confidence": 0.9})
    UnreadableMessageClassifier.from_project().process([unreadable, readable])
    assert unreadable.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert readable.get(INTENT)["name"] == "goodbye"
    assert fallback_action.UNREADABLE_KEY == UNREADABLE_KEY  # the action reads the key NLU sets
