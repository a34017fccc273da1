"""A question about a study by its author's name gets ask_study (nlu_addons/study_names.py), whatever
topic the study is about; a study the articles do not cite is recognised by its shape. The messages
here are not in the training data."""

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.knowledge import STUDY_INTENT, STUDY_NAMED_KEY
from nlu_addons.spelling_corrector import TEXT_AS_TYPED_KEY
from nlu_addons.study_names import StudyNameClassifier, load_study_questions

QUESTIONS = load_study_questions()


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("Did Lambert's review say anything about blood flow?", "study_lambert"),
        ("What did Imai report about tendons?", "study_imai"),
        ("so williams looked at hands vs tools for back pain. who won", "study_williams"),
        ("Your article keeps citing Kim J over and over. Who is that?", "study_kim"),
        # a cited name misspelt
        ("what did that kamalli 2014 study show", "study_kamali"),
        ("what did the chugtai et al paper find", "study_chughtai"),
        # studies the articles do not cite
        ("do you have anything on Markovic's study about hamstring flexibility", None),
        ("my PT mentioned a Loghmani study on rats. what did it find?", None),
        ("What were the results of the Portillo-Soto 2014 paper?", None),
        ("what did the Hammer study find about Graston", None),  # a common word, capitalised
        ("what did hammer 2008 say about the graston technique", None),  # a commoner word, dated
        ("markovic 2015 fascial abrasion technique study, what were the results?", None),
        ("Is there a study by Baker and colleagues on the hamstrings?", None),
        ("what did the Zhang and Okafor trial show about shoulders?", None),  # two authors
        ("did the Ortega 2020 meta-analysis say scraping works?", None),  # not Williams's meta-analysis
        ("Do you have anything on Petrakis's rat studies on ligaments?", None),  # plural, 's
        ("What does Meyerhoff's work say about fascia?", None),
        ("What does Schleip say about whether fascia can be changed by pressure?", "study_schleip"),
        ("According to Schleip, does pressing on fascia really change it?", "study_schleip"),
        ("según Williams, ¿las herramientas son mejores que las manos?", "study_williams"),
        # in Spanish
        ("¿Qué dice el estudio de Hammer sobre la técnica Graston?", None),
        ("¿qué encontró la revisión del Dr. Baker sobre los isquiotibiales?", None),
        ("¿Qué opinan Markovic y sus colegas del raspado?", None),
        ("¿qué encontró el estudio de Kamali?", "study_kamali"),
        ("¿Qué dice la revisión de Lambert sobre el IASTM?", "study_lambert"),
        ("who wrote the Astym review?", "study_chughtai"),  # what the reference calls it
        ("what did the meta-analysis conclude", "study_williams"),
        # asked by the finding, not a name
        ("which researcher claims fascia is too strong to be deformed by pressure?", "study_schleip"),
        ("who did that trial of graston against spinal manipulation and fake ultrasound", "study_crothers"),
        # described by what its title says
        ("that study of massage vs routine physical therapy for women's low back pain?", "study_kamali"),
        ("the 2016 RCT on graston, spinal manipulation and placebo, any results?", "study_crothers"),
        ("the randomized trial of graston, manipulation and placebo for thoracic pain?", "study_crothers"),
        # by its year, when only one cited study has it
        ("the 2015 paper about tendons, what did it find?", "study_imai"),
        ("what did the research from 1997 on tendon healing show?", "study_davidson"),
        ("do you cite Okonkwo's three year cadaver fascia stiffness study?", None),  # uncited, long
        # by the journal it appeared in
        ("what did that Journal of Exercise Rehabilitation paper find?", "study_kim"),
        ("the Physical Therapy Reviews piece on IASTM, what was the conclusion?", "study_lambert"),
        # by another of its authors, from the full reference
        ("what did Sung and Lee find about scar tissue?", "study_kim"),
        ("the review by Cleland et al, what was its conclusion?", "study_lambert"),
        ("Did Khlopas 2019 say Astym works?", "study_chughtai"),
        ("what did Walker's trial show about the mid back?", "study_crothers"),
    ],
)
def test_a_study_asked_by_name_is_recognised(text, topic_id):
    assert QUESTIONS.study_named(text) == (True, topic_id)


@pytest.mark.parametrize(
    "text",
    [
        "my PT Kim says I need six sessions, is that normal?",  # a name, no question about research
        "according to my PT Kim I need six sessions, is that normal?",
        "What does the research say about IASTM?",
        "¿Qué dice el artículo de la Clínica sobre el dolor?",
        "¿el estudio de ultrasonido es igual que el IASTM?",
        "¿Hay estudios de IASTM para la espalda?",
        "has IASTM been tested in a randomized controlled trial?",
        "is there a pilot study?",
        "I read a 2019 study saying it works",
        "my back has hurt since 2019, is there a study on that?",
        "in june 2021 a review said it works",
        "the Graston study was positive, right?",
        "I read a Recent Study that said it works",
        "The review said it helps?",
        "is the cupping and dry needling research any good?",  # rare words, no authors
        "Are Graston, Astym and IASTM the same? hard to compare clinics",  # Astym alone is no study
        "which study says so?",  # a follow-up: no finding to look for
        "who found that it helps tendons?",  # two studies share that passage
        "is there a study on low back pain?",  # two titles name it
        # a co-author's surname as a person's name or an everyday word
        "My son Samuel plays soccer, does research support IASTM?",
        "I use a walker, what does research say about IASTM for balance?",
    ],
)
def test_other_questions_are_left_to_the_intent_classifier(text):
    assert QUESTIONS.study_named(text) == (False, None)


def test_the_component_overrides_the_intent_but_keeps_a_request_for_copies():
    component = StudyNameClassifier(QUESTIONS)
    question = Message(data={TEXT: "Did Lambert's review say anything about blood flow?"})
    copies = Message(data={TEXT: "could i have a copy of the lambert review"})
    for message, intent in ((question, "ask_circulation"), (copies, "ask_study_copies")):
        message.set(INTENT, {"name": intent, "confidence": 0.8})
        message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.8}])
    component.process([question, copies])
    assert question.get(INTENT) == {"name": STUDY_INTENT, "confidence": 1.0}
    assert question.get(STUDY_NAMED_KEY) == "study_lambert"
    assert copies.get(INTENT)["name"] == "ask_study_copies"


@pytest.mark.parametrize(
    ("corrected", "typed", "study"),
    [
        # a capitalised surname the spelling corrector took for a typo is read as typed
        ("what did the severe trial find?", "what did the Sevier trial find?", ""),
        # a typo written in lower case is not taken for a surname
        ("is there a research study on it?", "is there a reserch study on it?", None),
    ],
)
def test_a_surname_is_read_as_typed_when_written_with_a_capital(corrected, typed, study):
    message = Message(data={TEXT: corrected, TEXT_AS_TYPED_KEY: typed})
    message.set(INTENT, {"name": "ask_effectiveness", "confidence": 0.8})
    StudyNameClassifier(QUESTIONS).process([message])
    assert message.get(STUDY_NAMED_KEY) == study
    assert message.get(INTENT)["name"] == (STUDY_INTENT if study is not None else "ask_effectiveness")


def test_an_uncited_study_is_marked_in_the_parse_data_that_rasa_passes_on():
    """Rasa drops None values from the parse data: an uncited study must be marked all the same."""
    component = StudyNameClassifier(QUESTIONS)
    message = Message(data={TEXT: "What did the Markham 2018 meta-analysis conclude?"})
    message.set(INTENT, {"name": "ask_effectiveness", "confidence": 0.8})
    component.process([message])
    assert message.as_dict(only_output_properties=True)[STUDY_NAMED_KEY] == ""
