"""Requests for a personal diagnosis, a treatment plan or a dose are declined by their shape
(nlu_addons/advice_requests.py), and whether IASTM is all right for someone in a circumstance gets the
personal-safety reply; questions that only mention a diagnosis are not. The messages here are not in
the training data."""

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_addons.advice_requests import (
    ADVICE_INTENT,
    ADVICE_KEY,
    AdviceRequestClassifier,
    load_advice_requests,
)

REQUESTS = load_advice_requests()


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("Is my hip pain a labral tear or just a tight muscle?", "diagnosis"),
        ("Is my shoulder pain a rotator cuff tear or just tendinitis?", "diagnosis"),
        ("do I have achilles tendinitis?", "diagnosis"),
        ("what's causing my heel to ache every morning", "diagnosis"),
        ("my doctor thinks it's bursitis but can you confirm that's what I've really got?", "diagnosis"),
        ("¿Qué tengo en la rodilla? me truena", "diagnosis"),
        ("me truena el hombro, ¿me puede decir qué me pasa?", "diagnosis"),
        ("Dime qué tengo en el tobillo, se me hinchó", "diagnosis"),
        ("The chiro says it's a pinched nerve, my wife says sciatica. Which is it?", "diagnosis"),
        ("scans were all clear and my hip still aches. what's really wrong with me?", "diagnosis"),
        ("My shins ache and my feet go numb at night. What do you think is causing it?", "diagnosis"),
        ("Write me a rehab plan for my sprained ankle", "plan"),
        ("can you map out a six week graston schedule for my shin splints", "plan"),
        ("Torn hamstring last month. Please draw up a session-by-session program for me.", "plan"),
        ("Scraping or dry needling for my calf? Just choose one for me.", "plan"),
        ("how should I treat my tennis elbow at home", "plan"),
        ("had knee surgery a month ago, when can I start having graston on it?", "plan"),
        ("my hip was replaced in May, when can I start getting scraped?", "plan"),
        ("My MRI shows a disc bulge. Should I get injections or try scraping first?", "plan"),
        ("my ankle rolled and swelled up, is it a sprain?", "diagnosis"),
        ("I had hip surgery three weeks ago. Is it safe to get IASTM near it yet?", "personal_safety"),
        ("What dosage of turmeric should I take for inflammation?", "dose"),
        ("how many ibuprofen can I take before a session", "dose"),
        ("should I stop taking my blood thinners before graston?", "dose"),
        ("¿Cuántas pastillas me tomo para el dolor después del raspado?", "dose"),
        ("I have a metal plate and screws in my ankle, can they scrape over that?", "personal_safety"),
        ("my wife is pregnant, is it ok for her to have iastm on her back?", "personal_safety"),
        ("I'm 16 and play soccer, can I get graston?", "personal_safety"),
        ("patient wants to know if she can still come in with an eczema flare", "personal_safety"),
        ("I take Eliquis every morning. Will the scraping make me bruise like crazy?", "personal_safety"),
        ("my mom is on blood thinners, could the tools cause bleeding under her skin?", "personal_safety"),
        ("My mom is 84 and bruises easily. Would this be safe for her?", "personal_safety"),
        ("tengo un marcapasos, es seguro el raspado?", "personal_safety"),
        ("I'm 30 weeks along, can I still have graston on my lower back?", "personal_safety"),
        ("she's in her third trimester, is scraping okay for her?", "personal_safety"),
        ("my 9 yr old son plays hockey, can he get IASTM or is he too young?", "personal_safety"),
        ("I've been on steroids for years and my skin tears easily. Is scraping safe?", "personal_safety"),
        ("I have a hip replacement. Can the tools be used over the implant?", "personal_safety"),
        ("my mom is 85 and frail, would this hurt her?", "personal_safety"),
        ("will it make my lymphedema worse?", "personal_safety"),
        ("does scraping spread cancer?", "personal_safety"),
        ("can my 12-year-old daughter get graston? her knee hurts after volleyball", "personal_safety"),
        ("my dad has the sugar and takes insulin, is okay for him to try this?", "personal_safety"),
        ("had knee surgery two weeks ago, is it too soon for scraping near the scar?", "personal_safety"),
        # passed on by the front desk, and plans for one person (development sets, in other words)
        ("a patient on the phone wants to know if his ankle pain is a stress fracture", "diagnosis"),
        ("she asks if it's tendinitis or something worse", "diagnosis"),
        ("can you tell which one she has, bursitis or a strain?", "diagnosis"),
        ("how many graston visits would I need for my elbow?", "plan"),
        ("how often should he come in for his neck", "plan"),
        ("how many graston sessions will it take to heal my shoulder?", "plan"),
        ("tengo una prótesis de rodilla, ¿es seguro que me hagan el raspado?", "personal_safety"),
        ("should I quit my stretching routine and just get scraped instead?", "plan"),
    ],
)
def test_a_request_for_personal_advice_is_recognised_by_its_shape(text, shape):
    assert REQUESTS.shape_of(text) == shape


@pytest.mark.parametrize(
    "text",
    [
        "my doctor thinks it's plantar fasciitis and I'm nervous: does it hurt?",
        "My brother says scraping is just gua sha with a new name and I say it's different. Which is it?",
        "my trainer said fascia can't be broken up by a tool. who's right, him or my PT?",
        "I was diagnosed with a herniated disc last spring. What does a session involve?",
        "what dose IASTM stand for",  # a typo of "does"
        "how do I fix my wifi",
        "I'm not asking you to choose for me, but how does IASTM compare with spinal manipulation?",
        "do I have to bring shorts to my appointment?",
        "tell me what I have to do before my first session",
        "is my appointment at 3 or at 4?",
        "how many sessions does the clinic article say people have?",
        "does IASTM help with tendinopathy?",
        "I'm not sure what's wrong with my knee. My physio wants to try Graston. Does it hurt?",
        "my GP couldn't tell me what I have. Is scraping the same as gua sha?",
        "does iastm help growing pains in kids",
        "can I have IASTM after a workout?",
        "does it work for eczema?",
        "my 15 minute session was fine, can I have another?",
        "I'm on blood thinners and I bruise easily, is the bruising from graston normal?",
        "how do the tools work on scar tissue from a c-section",
        "my knee pain gets worse when I run, would IASTM help?",
        "sitting makes my back worse, would scraping help",
        "what do you think of the graston technique?",
        "can you lay out what a typical session looks like?",
        "could you send me the clinic schedule for next week?",
        # what a person was told is no request for a diagnosis (development set 14, in other words)
        "El doctor me dijo que tengo fascitis plantar. ¿Duele el raspado?",
        "Will the scraping make me bruise?",  # no circumstance of the asker's
        "would scraping help if it's plantar fasciitis?",
        "how many sessions does it usually take?",
        "how much time do i need to plan for a graston appointment",
        "I want to know if graston is safe",
    ],
)
def test_other_questions_are_left_to_the_intent_classifier(text):
    assert REQUESTS.shape_of(text) is None


def test_the_component_gives_a_request_the_advice_intent_and_leaves_the_rest():
    component = AdviceRequestClassifier(REQUESTS)
    asked = {"name": "ask_condition", "confidence": 0.9}
    request = Message(data={TEXT: "What dose of magnesium should I take for my muscle cramps?"})
    question = Message(data={TEXT: "can IASTM help muscle cramps?"})
    for message in (request, question):
        message.set(INTENT, asked)
        message.set(INTENT_RANKING_KEY, [asked])
    component.process([request, question])
    assert request.get(INTENT) == {"name": ADVICE_INTENT, "confidence": 1.0}
    assert [r["name"] for r in request.get(INTENT_RANKING_KEY)] == [ADVICE_INTENT, "ask_condition"]
    assert request.get(ADVICE_KEY) == "dose"
    assert question.get(INTENT) == asked
    assert question.get(ADVICE_KEY) is None


def test_a_question_whether_it_is_all_right_for_someone_gets_the_personal_safety_intent():
    component = AdviceRequestClassifier(REQUESTS)
    message = Message(data={TEXT: "I have a metal plate in my ankle, can they scrape over that?"})
    message.set(INTENT, {"name": "ask_what_is", "confidence": 0.6})
    component.process([message])
    assert message.get(INTENT) == {"name": "ask_personal_safety", "confidence": 1.0}
    assert message.get(ADVICE_KEY) == "personal_safety"


@pytest.mark.parametrize(
    ("text", "switched"),
    [
        ("my trainer says my glutes don't fire when I squat. can scraping wake them up?", True),
        ("rolled my ankle playing basketball 3 weeks ago, would graston help?", True),
        ("I get pain right between my shoulder blades. Is IASTM used for that?", True),
        ("how many iastm treatments will it take to fix my tennis elbow", False),  # a plan
        ("should I take ibuprofen before my session?", False),
        ("what about plantar fasciitis?", True),  # asked after another answer (a retrain took it for advice)
        ("what about surgery, should I get it?", False),
        ("my wrist has ached since I fell off my bike. is graston worth a shot?", True),
        ("my shoulder clicks when I lift it. is that something scraping treats?", True),
        ("there's a lumpy scar on my shin from a fall, could the tools soften it?", True),
        ("how long until the tools soften my scar?", False),  # a plan
    ],
)
def test_a_question_whether_it_helps_that_the_classifier_took_for_advice_is_a_condition_question(
    text, switched
):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ADVICE_INTENT, "confidence": 0.8})
    AdviceRequestClassifier(REQUESTS).process([message])
    assert message.get(INTENT)["name"] == ("ask_condition" if switched else ADVICE_INTENT)


@pytest.mark.parametrize(
    ("text", "switched"),
    [
        ("Can IASTM cure my diabetes?", True),
        ("could graston get rid of my psoriasis for good?", True),
        ("¿el raspado cura la diabetes?", True),
        ("I have diabetes, can IASTM cure my neuropathy or is it risky for me?", False),  # safety asked
        ("I'm pregnant, can I still get scraped?", False),
    ],
)
def test_a_question_whether_it_cures_that_the_classifier_took_for_personal_safety_is_a_condition_question(
    text, switched
):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "ask_personal_safety", "confidence": 0.9})
    AdviceRequestClassifier(REQUESTS).process([message])
    assert message.get(INTENT)["name"] == ("ask_condition" if switched else "ask_personal_safety")


@pytest.mark.parametrize(
    ("text", "personal"),
    [
        ("is it safe for me?", True),
        ("would scraping be ok in my case?", True),
        ("is graston safe for someone like me", True),
        ("is it safe?", False),
        ("is IASTM safe for athletes?", False),
        ("can you explain what it is for me?", False),  # no question whether it is all right
    ],
)
def test_the_askers_own_unnamed_case_makes_a_safety_question_personal(text, personal):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "ask_safety", "confidence": 0.7})
    AdviceRequestClassifier(REQUESTS).process([message])
    assert (message.get(INTENT)["name"] == "ask_personal_safety") is personal
