"""Triage (triage/): each tier and category is recognised in plain words, in English and Spanish,
and the look-alikes that share their words are not. The messages here are not in the training data."""

import re
from pathlib import Path

import pytest
import yaml

from bench.triage_eval import DEVELOPMENT as DEVELOPMENT_SETS
from bench.triage_eval import HELD_OUT as HELD_OUT_SETS
from triage.assessment import TIERS, emergency_payload, emergency_responses
from triage.examples import NONE, TRAINING_FOLDER, read_triage_file, training_examples
from triage.patterns import PATTERNS_FILE, Patterns, load_patterns
from triage.text import language_of, normal_form
from triage.triage import Triage, emergency_excerpt, load_triage

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = list(HELD_OUT_SETS.values())
DEVELOPMENT = list(DEVELOPMENT_SETS.values())
TRIAGE = load_triage()
LIFE, POISON, CRISIS, URGENT = TIERS


@pytest.mark.parametrize(
    ("text", "tier", "category"),
    [
        ("my chest feels like an elephant is sitting on it and my left arm is numb", LIFE, "heart_attack"),
        ("i think my grandpa is having a heart attack", LIFE, "heart_attack"),
        ("mom's smile is crooked on one side and she can't get her words out", LIFE, "stroke"),
        ("my dad is slurring and his face looks lopsided", LIFE, "stroke"),
        ("out of nowhere the worst headache of my life, like a thunderclap", LIFE, "stroke"),
        ("my son is wheezing and can't catch his breath, his lips look blue", LIFE, "breathing"),
        ("my son's nose is stuffed up and he can't breathe at all, his lips are blue", LIFE, "breathing"),
        ("the cut on my thigh is gushing blood and won't stop", LIFE, "bleeding"),
        ("my husband collapsed in the bathroom", LIFE, "collapse_seizure"),
        ("my daughter is having a seizure right now", LIFE, "collapse_seizure"),
        ("ate a cashew and now my throat is closing up", LIFE, "allergic_reaction"),
        ("my calf is swollen, red and hot since this morning", LIFE, "blood_clot"),
        ("honestly they'd be better off without me", CRISIS, "suicidal"),
        ("there's no point going on anymore", CRISIS, "suicidal"),
        ("i keep cutting myself and i can't stop", CRISIS, "self_harm"),
        ("I swallowed all my sleeping pills", POISON, "overdose"),
        ("took like 20 tylenol an hour ago", POISON, "overdose"),
        ("my toddler drank some of the bleach under the sink", POISON, "poisoning"),
        ("since the scraping session the red area is spreading and I have chills and a fever",
         URGENT, "infection_signs"),
        ("red streaks going up my arm from where they did graston", URGENT, "infection_signs"),
        ("after my graston session my foot has been numb for two days", URGENT, "nerve_signs"),
        ("my back is killing me and i lost control of my bladder", URGENT, "bladder_bowel"),
        ("me duele el pecho y no puedo respirar", LIFE, None),
        ("a mi esposo se le cayo la cara de un lado y habla raro", LIFE, "stroke"),
        ("ya no quiero vivir", CRISIS, "suicidal"),
        ("mi hijo se tomo todas las pastillas de mi mama", POISON, "overdose"),
        ("my mom no puede respirar, help", LIFE, "breathing"),
        ("my uncle dropped in the parking lot, not moving, not reacting", LIFE, "collapse_seizure"),
        ("i won't be waking up tomorrow and honestly i'm okay with that", CRISIS, None),
        ("wanna kms for real, i'm done", CRISIS, "suicidal"),
        ("my toddler got into grandma's pill organizer and half of it is empty", POISON, "overdose"),
        ("dad's been trying to pee for six hours since his back session", URGENT, "bladder_bowel"),
        ("mi papa no controla la vejiga y le duele la espalda baja", URGENT, "bladder_bowel"),
        ("my sister just texted that she's going to kill herself tonight", CRISIS, "suicidal"),
        ("mi primo esta en el puente y dice que se va a aventar", CRISIS, "suicidal"),
        ("there is so much blood coming from his leg", LIFE, "bleeding"),
        ("my dad nearly had a heart attack, he's clutching his chest and sweating", LIFE, "heart_attack"),
        ("grandpa took extra pain patches, he's drowsy and his breathing is really shallow", LIFE, None),
        ("leaking pee and I can't feel it, my lower back in agony since yesterday", URGENT, "bladder_bowel"),
        ("i had to use my son's epipen on him after he ate peanuts", LIFE, "allergic_reaction"),
        ("the baby chewed on a dishwasher pod, what do we do", POISON, "poisoning"),
        ("mi esposo ya no siente cuando orina y la espalda lo esta matando", URGENT, "bladder_bowel"),
        ("numb between my legs since lunch and my disc is acting up", URGENT, "bladder_bowel"),
        ("my wife took 3 advil and then the rest of the bottle an hour ago", POISON, "overdose"),
        ("since the graston on my shin my foot kind of drags when i walk", URGENT, "nerve_signs"),
        ("a mi papa le dieron terapia en la espalda y ya no siente bien los pies", URGENT, "nerve_signs"),
        ("i need the pain to be on the outside again, the razor is right here", CRISIS, "self_harm"),
        ("nobody would even care if i was gone. so tired of being a burden", CRISIS, "suicidal"),
        ("my inhaler isn't helping at all and it feels like breathing through a straw", LIFE, "breathing"),
        ("perdi el control de la vejiga y me duele mucho la espalda", URGENT, "bladder_bowel"),
        # signs of the overdose itself get the overdose's reply ("call 911 now, especially if ...")
        ("my roommate took a bunch of xanax and now she won't wake up", POISON, "overdose"),
        ("she keeps saying she wants to go to sleep and not wake up", CRISIS, "suicidal"),
        # a new-user trial's misses (2026-12-01): hopelessness in everyday words
        ("no one would even notice if I disappeared. does scraping help with stress?", CRISIS, "suicidal"),
        ("i'm so tired of living", CRISIS, "suicidal"),
        ("what's the point of anything anymore", CRISIS, "suicidal"),
        ("sometimes i think about not waking up", CRISIS, "suicidal"),
        ("estoy cansada de vivir", CRISIS, "suicidal"),
        ("been saving up my pills for a while now, I know what I'm going to do", CRISIS, "suicidal"),
        ("my chest hurts, is it ok to get scraped?", LIFE, "heart_attack"),
        ("i honestly just want to not wake up tomorrow", CRISIS, "suicidal"),
        ("lol I paid for 10 sessions but I'm planning to not be here for them", CRISIS, None),
        ("my vision in my left eye just went, like a curtain coming down", LIFE, "stroke"),
        ("found him on the floor with needles beside him, barely breathing", POISON, "overdose"),
        ("since the graston my fingers went dead and clumsy, can't button my shirt", URGENT, "nerve_signs"),
        # a count of pills asked as a scheduling question; carving into skin; the pain to stop "forever"
        ("can i keep my appointment if i took like 30 tylenol this morning?", POISON, "overdose"),
        ("i carved into my thigh again tonight", CRISIS, "self_harm"),
        ("i just want the pain to stop forever", CRISIS, "suicidal"),
        ("sciatica both sides and now I can't tell if I need to go, leaking urine", URGENT, "bladder_bowel"),
        ("my brother is on the floor convulsing and he doesn't even have epilepsy", LIFE, "collapse_seizure"),
        ("me hice una cortada en la muñeca hace rato y esta bien profunda", CRISIS, "self_harm"),
        ("since the scraping yesterday i can't lift my foot, it drags", URGENT, "nerve_signs"),
        ("my leg has been weak since the scraping yesterday, a weak spot in my knee", URGENT, "nerve_signs"),
        ("im standing on the edge of the bridge", CRISIS, "suicidal"),
        ("my son fell off his bike and a bone is poking through the skin", LIFE, "bleeding"),
        ("muchas gracias por todo, este es mi ultimo mensaje, cuiden a mis hijos", CRISIS, "suicidal"),
        ("slipped on the stairs an hour ago and i can't feel my feet", URGENT, "nerve_signs"),
        ("mi esposo se trago unas 30 pastillas de la presion, esta mareado", POISON, "overdose"),
        ("haha anyway im up on the ledge of my building and gonna jump", CRISIS, "suicidal"),
        ("the numbness from the session never went away and now my hand is weak", URGENT, "nerve_signs"),
        # spreading or two-sided numbness, lost feeling, repeated fainting today (twentieth bench)
        ("tingling creeping up both my arms since this afternoon", URGENT, "nerve_signs"),
        ("my arms went numb on both sides after the shoulder work", URGENT, "nerve_signs"),
        ("lost all sensation in my hand in the past two hours", URGENT, "nerve_signs"),
        ("he keeps fainting when he sits up, second time this morning", LIFE, "collapse_seizure"),
        # development set 21: choking told by its signs, an overdose with slurred speech, cleaning fumes
        ("my son is grabbing at his throat and can't cough or breathe", LIFE, "breathing"),
        ("she swallowed a whole lot of her sleeping pills and now she's slurring", POISON, "overdose"),
        ("mixed clorox with vinegar in the shower and now i'm wheezing", POISON, "poisoning"),
        ("mi tio se paso con las pastillas y no lo podemos despertar", POISON, "overdose"),
        # development set 24: one-sided numbness and blurred sight after a neck manipulation, numbness
        # that has not come back for hours (in other words)
        ("since my neck got cracked i'm numb on my right side and can't see straight", LIFE, "stroke"),
        ("my toes went numb in the squats and still haven't come back, hours later", URGENT, "nerve_signs"),
        # development set 28 (in other words): the tool's marks are no red streaks, but streaks
        # that spread are; a calf that swells more every day is happening now
        ("two days after the scraping red streaks run up toward my armpit", URGENT, "infection_signs"),
        ("my calf has been swollen and hot for a day and it gets bigger every day", LIFE, "blood_clot"),
        ("my buddy is choking on a piece of steak and can't breathe", LIFE, "breathing"),
        # development set 29 (in other words): carbon monoxide by its source and its signs, a pod
        # in a mouth: poisoning's advice (Poison Control), not the collapse's or the breathing's
        ("the propane heater ran all night and now my wife is confused and throwing up", POISON, "poisoning"),
        ("el generador estuvo prendido en el garaje y mi hijo se desmayo", POISON, "poisoning"),
        ("my toddler had a laundry pod in her mouth and she is coughing and gagging", POISON, "poisoning"),
    ],
)  # fmt: skip
def test_each_tier_and_category_is_recognised(text, tier, category):
    assessment = TRIAGE.assess(text)
    assert assessment is not None, text
    assert assessment.tier == tier
    assert category is None or assessment.category == category


@pytest.mark.parametrize(
    "text",
    [
        "is IASTM painful?",
        "this workout is killing me lol",
        "the bruises made my mom think I got beat up lol, she nearly had a heart attack",
        "I had a stroke years ago, is it safe for me?",
        "I had a clot in my leg back in 2019, can I still get scraping?",
        "we did suicide sprints at practice and my calves are toast",
        "I put a heat pack on my calf, is that ok after graston?",
        "I can't breathe through my nose when I lie on the table face down",
        "my nose is stuffed and i can't breathe through it, does that matter for a face-down session?",
        "tengo la nariz tapada y no puedo respirar por ella, ¿importa para la sesión?",
        "I had a stroke a few years back, is it safe to have the tool used on my weak leg?",
        "my calves are so tight I can't breathe just looking at the stairs lol",
        "me falta el aire al subir las escaleras del estadio, es normal, ¿el raspado ayuda con las rodillas?",
        "I can't even bend over to tie my shoes anymore, would IASTM help my back?",
        # development set 28 and development FAQ set 16 (in other words): a daily medicine is no
        # sign happening now, the tool's streaks are its marks, a first-aid class practises choking
        "my dad had a clot two years ago so he takes eliquis every day, can he have the scraping?",
        "her shoulder is covered in red streaks from the graston, she says it feels amazing, is that normal?",
        "at the first aid training we did the choking rescue on a mannequin, now my wrists ache",
        "mi hijo me dijo que les escribiera aquí para preguntar por el raspado",
        "after push day my chest and shoulders are sore as heck, would scraping help?",
        "I have self-harm scars on my forearm, will scraping make them worse?",
        "no chest pain or anything, just a sore shoulder",
        "what are the signs of a blood clot?",
        "can graston cause a stroke?",
        "my skin was a bit red after the session but it faded by the evening",
        "how many strokes of the tool does a session use",
        "will I get red dots on my calf after graston",
        "dying to try this, when can I book?",
        "my dog ate a sock yesterday, the vet says he's fine",
        "in the movie the guy had a heart attack and it made me think of my own heart health",
        "me muero de ganas de probar el raspado",
        "hace años tuve un derrame, puedo hacerme el tratamiento?",
        "no tengo fiebre, nomas un moreton",
        "my neck is so stiff I can't turn my head all the way, would graston loosen it?",
        "I can't lift my arm above my head since my frozen shoulder started, can scraping help?",
        "My cousin is a massage therapist and I never know what to say when she talks shop. "
        "I felt silly asking her at the barbecue. What is IASTM exactly?",
        "I work nights at a warehouse and can't make daytime appointments. Are you open late?",
        "my back went out and i cant stand up straight, can iastm help",
        "I feel numb about the whole thing honestly, should I try graston or not",
        "my uncle survived a heart attack and now wants scraping for his knees, ok at 75?",
        "I fainted one time at a blood drive a while back, do you use needles?",
        "what would a clot in the calf actually feel like, how do I tell it from a cramp",
        "our soccer club wants to know what to do if a player collapses, and do you do team rates",
        "our office is hosting a CPR and choking rescue class, could your therapists attend?",
        "that bill nearly put me in cardiac arrest lol, payment plans?",
        "my knees sound like they're having a seizure when I get up from the floor",
        "si me llego a desmayar en la camilla, que hacen?",
        "I OD'd on enchiladas at my tia's party, can I still come in at 9",
        "I did not take too many pills, just 2 ibuprofen like the box says, ok after a session?",
        "I don't want to hurt myself, I only wonder whether the scraping stings",
        "gonna pass out from excitement before my first session lol",
        "me ahogo en un vaso de agua con estos formularios",
        "saddle numbness on my road bike after long rides, can you scrape my glutes?",
        "I worry my bruises will make people think I'm hurting myself again",
        "how long after a DVT is it ok to have scraping on that leg?",
        "we watched a film where a man has a stroke at dinner, now I'm paranoid",
        "hipoteticamente, si alguien se desmaya en la camilla que pasa?",
        "had asthma since I was little, well controlled, can I lie face down?",
        "that sounds odd to me, can you explain the microtrauma theory again",
        "in our nursing drill we practiced on a choking mannequin, my wrists ache now",
        "my wrist goes numb on long bike rides but it goes away when I stop, would scraping help",
        "would scraping help the numbness in my fingers from typing all day",
        "salio en las noticias que un senor murio de un infarto corriendo, es seguro el raspado?",
        "i want to look through the studies myself, can i get copies",
        "my nephew's tabletop campaign had his character poisoned by a goblin, my neck hurts from hunching",
        "I almost passed out when I saw the bill, do you offer payment plans?",
        "my uncle's a paramedic and told us about a call he ran where a guy collapsed, everyone was okay",
        "is numbness in the hands something to worry about in general?",
        "que hago si alguien se desmaya en la sala de espera? quiero estar preparada",
        "had a blood clot in 2015, no lasting effects, can I get my calf scraped?",
        "my lip is numb and drooping a bit from the dentist's novocaine, can I still come at 4?",
        "this knot in my neck makes me want to saw my own head off lol",
        "I took the one tylenol like it says on the box, can I still come in?",
        "can you explain what a DVT is? my doctor mentioned it",
        "my self-harm scars are long over, can you scrape near them?",
        "estoy escribiendo un cuento donde el villano envenena al rey, me duele la muneca de tanto escribir",
        "my husband's heart feels totally fine now, his cardiologist cleared him, can he book for his knee?",
        "I'm choking on paperwork this week, can we move my session?",
        "my uncle had a stroke long ago and walks with a cane now, can he get graston on his hip?",
        "in recovery from self-harm, my counselor thinks bodywork might help me feel at home in my body",
        "i don't self harm anymore, would scraping near old marks be ok?",
        "tomo pastillas anticonceptivas, puedo hacerme el graston?",
        "after the scraping my back has red stripes but i feel so much looser",
        "one more set of lunges and i'm literally gonna die, can scraping help sore glutes?",
        "no one passed out, my son just wants to sit in on my appointment",
        "in my anatomy class we covered heart attacks, does graston affect the heart at all?",
        "tuve un desmayo en la boda pero ya me recupere, puedo ir a mi cita?",
        "I plan on not being here next week, can I move my Tuesday session?",
        "nearly choked on my tea laughing at your office cat, is the 3pm still open?",
        "my mom about fainted when she saw the bruises, they're normal right?",
        "my brother volunteers at a suicide hotline and his shoulders are a wreck",
        "passed out in bed at 8 after my first session, is being sleepy normal?",
        "I got choked up reading the reviews, thank you for helping my dad",
        "no podia respirar bien por la nariz con la gripa, pero lo que me duele es la espalda",
        "old self-harm marks on my thigh, can the tool go over them?",
        "that reel had me wheezing 😂 anyway are you open sunday",
        "my sister teaches CPR and showed us how to do the heimlich, my shoulder is sore from practicing",
        "had a seizure in junior high, none since, can I get scraped?",
        "how can I support a coworker who self-harms? asking for ideas",
        "the red lines from the tool faded by the next morning, is that normal?",
        "me senti mareada despues de correr, me sente un rato y ya",
        "can't breathe when I laugh this hard",
        "tengo el brazo dormido porque dormi sobre el, el raspado ayuda?",
        "my hand is all pins and needles from sleeping on it, does scraping help that?",
        # a short follow-up after an answer (a new-user trial got the crisis line for "and again?")
        "and again?",
        "tell me one more time",
        "do it again",
        # FAQ questions of the seventeenth bench: a stiff muscle, a neck that no longer turns
        "a muscle in my back keeps seizing up and locking on me. could IASTM calm that down?",
        "cant look over my shoulder when backing out of the driveway anymore. would scraping help",
        # a sign that passed, a practice, milligrams
        "my hand went a bit tingly after the session but it went away within the hour",
        "en la clase de primeros auxilios practicamos como reconocer un infarto",
        "i took 20 mg of my blood pressure pill this morning, ok to get scraped?",
        "i took a tylenol before my session, is that ok?",
        "took two advil after the session for the soreness",
        # back pain told with "can't": the classifier took it for a bladder emergency
        "my back hurts and I can't play golf",
        "my back is killing me and i can't sleep",
        "me duele la espalda y no puedo cocinar",
        "I can't take this neck pain anymore",
        # too little to read once an idiom is blanked out
        "my",
        "my chest muscles are tight from pushups",
        # a helper's everyday clinic messages (/work/probes/everyday_clinic.yml) that raised an alarm
        "My thumb hurts from gardening, can't open jars anymore. Husband has to do it lol",
        "aceptan medicaid?? mi rodilla ya no aguanta",
        "my shoulder hurts so much i can't lift my arm to brush my hair",
        "my boss is going to be the death of me, can I book for friday?",
        "soy paramedica y hoy todos fueron infartos en el turno, tienen cita el sabado?",
        "me tome dos advil antes de la sesion, esta bien?",
        "felt tingling in my arm during the scraping but it stopped when she moved the tool",
        "my chickens couldn't breathe in the heat, the vet says they're fine, can i book tuesday?",
        "el sabado tengo curso de primeros auxilios sobre asfixia y hemorragias",
        # idioms and sport of the twentieth bench's false alarms, in other words
        "the blooper reel from your clinic video, i cant breathe 🤣",
        "choking on how good this deal is, sign me up",
        "these new ski boots are crushing my feet, any tips for sore calves?",
        "jumped in the lake and couldn't catch my breath for a second, so refreshing",
        # a car accident is no bladder accident; an allergy had once is history
        "since the car accident last spring my neck can't turn like it used to, would scraping help?",
        "had a bad reaction to shellfish once, carry an epipen now, is the lotion you use ok?",
        "que hago si alguien se desmaya en la calle? es para mi clase de primeros auxilios",
        "ever since i had my clot i'm on blood thinners, will scraping leave big bruises?",
        "my hands go numb on long rides but it goes away after a rest, could IASTM help my forearms?",
        "couldn't feel my legs after that spin class lol, booking a session for my calves",
        # the twenty-second bench's false alarms, in other words
        "after the stair workout i was winded and my quads were shaking, can scraping help recovery?",
        "despues de correr el medio maraton me falta el aire jaja y me duelen las pantorrillas",
        "my bank account passed out when i saw the bill lol",
        "the toy says choking hazard on it, anyway do you take walk-ins?",
        "old self harm scars on my forearm, fully healed, would the tool irritate them?",
        # development set 12's rambling FAQ questions, in other words
        "I blacked out once at the dentist as a teenager, so I'm nervous: does scraping hurt?",
        "asking for my stepdad, he's stubborn and won't ask for himself, what is Graston?",
        "mi abuela nos sobaba con una moneda cuando nos enfermabamos: es igual que el gua sha?",
        # the look-alikes of the hopelessness wordings above
        "nobody would notice if i disappeared for a week lol",
        "i'm tired of living with this back pain, can iastm help?",
        "estoy cansada de vivir con este dolor de espalda",
        "what's the point of stretching if it comes back?",
        "worried about not waking up in time for my appointment lol",
        "saving up money for a session, how much is it?",
        "my chest isn't hurting, it's my upper traps",
        "my chest doesn't hurt, my mid back does",
        "my chest muscles hurt from bench press, can scraping help?",
        "my chest hurt for a second when I laughed",
        # development sets 14 and 12 (the twelfth held-out sets): the weak points of an argument, a
        # treatment that "changed her life", in other words
        "show me the strong and weak points of the research on IASTM",
        "what are the weaknesses of the graston studies?",
        "mi tía dice que el raspado le cambió la vida, pero mi esposo dice que es pura moda",
        # development set 13's long FAQ questions read as self-harm, in other words
        "my old PT was rough; the new one wants to do it again, much lighter, I won't feel a thing",
        "we're scared the scraping will make my grandma bleed under the skin, she's on warfarin",
        "I cut my thumb on a can last week, it stopped bleeding right away, can I still be scraped?",
        # development set 16's long-standing numbness asked about as a condition, in other words
        "my fingers tingle and go numb most nights and have for months, is that something scraping treats?",
        # development set 29 (in other words): a device's "seizures", how-to and family-history questions
        "my laptop keeps having strokes today, so this might send twice",
        "how does one use an epi-pen? my daughter was prescribed one at her checkup",
        "tenemos antecedentes familiares de derrame, cuales son las señales?",
        # the FAQ development sets: a long read that "went over my head"
        "I read the whole article twice and most of it went right over my head, what is fascia?",
    ],
)
def test_look_alikes_are_not_emergencies(text):
    assert TRIAGE.assess(text) is None, TRIAGE.assess(text)


def test_the_reply_language_follows_the_message():
    assert TRIAGE.assess("me duele mucho el pecho").language == "es"
    assert TRIAGE.assess("i have crushing chest pain").language == "en"
    spanish, english = load_patterns().spanish_words, load_patterns().english_words
    assert language_of(normal_form("Mi papá no puede respirar"), spanish, english) == "es"
    assert language_of(normal_form("my papa can't breathe"), spanish, english) == "en"


def test_a_message_that_also_speaks_of_suicide_gets_the_crisis_line_too():
    assessment = TRIAGE.assess("I took all my pills because I want to die")
    assert assessment.tier == "poisoning_overdose" and assessment.also_crisis
    assert emergency_responses(assessment.as_dict()) == [
        "utter_emergency_poisoning_overdose",
        "utter_emergency_crisis_line",
    ]


def test_a_graver_emergency_the_classifier_finds_beside_a_pattern_gets_its_tier():
    text = (
        "since my graston session yesterday my left arm has been numb and now it feels like a truck "
        "is parked on my chest and I'm drenched in sweat"
    )
    assert TRIAGE.patterns.hits(normal_form(text))[0].category == "nerve_signs"
    assessment = TRIAGE.assess(text)
    assert (assessment.tier, assessment.category) == ("life_threatening", "heart_attack")
    assert (
        TRIAGE.assess("my hand has been tingling since the graston session").tier == "urgent_after_treatment"
    )


def test_an_emergency_anywhere_in_a_long_message_is_found_and_excerpted():
    chatter = "I have a question about how scraping works and what it costs. " * 40
    assert emergency_excerpt(chatter, 1000) is None
    excerpt = emergency_excerpt(chatter + "Also my wife just collapsed and is not breathing. Thanks", 1000)
    assert excerpt == "Also my wife just collapsed and is not breathing"
    assert TRIAGE.assess(excerpt).tier == "life_threatening"


@pytest.mark.parametrize("before, after", [(3000, 0), (6000, 6000)])
def test_an_emergency_inside_one_endless_sentence_is_excerpted_with_it(before, after):
    text = "blah " * before + "my husband collapsed and is not breathing " + "blah " * after
    excerpt = emergency_excerpt(text, 1000)
    assert len(excerpt) <= 1000 and "my husband collapsed and is not breathing" in excerpt
    assert TRIAGE.assess(excerpt).tier == "life_threatening"


def spec_with(**overrides) -> dict:
    """A minimal pattern spec: one trigger, the project's context cues."""
    spec = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    spec["categories"] = {"heart_attack": {"tier": "life_threatening", "triggers": ["chest pain"]}}
    spec["idioms"] = ["killing me"]
    return {**spec, **overrides}


@pytest.mark.parametrize(
    ("text", "modifiers"),
    [
        ("chest pain", ()),
        ("no chest pain", ("negated",)),
        ("i don't have any chest pain", ("negated",)),
        ("not sure if this chest pain is serious", ()),  # a pseudo-negation
        ("the chest pain is gone", ("negated",)),
        ("chest pain years ago", ("past",)),
        ("what are the signs of chest pain", ("hypothetical",)),
        ("in the movie he had chest pain", ("other_context",)),
    ],
)
def test_context_takes_a_trigger_back(text, modifiers):
    hits = Patterns(spec_with()).hits(text)
    assert [hit.modifiers for hit in hits] == [modifiers]


def test_a_scope_ends_at_a_terminator_and_idioms_are_blanked_out():
    patterns = Patterns(spec_with())
    assert [hit.affirmed for hit in patterns.hits("chest pain years ago but now chest pain")] == [False, True]
    # a question tacked on after "anyway" does not make the emergency before it a question
    assert [hit.affirmed for hit in patterns.hits("chest pain, do you have openings")] == [False]
    assert [hit.affirmed for hit in patterns.hits("chest pain, anyway do you have openings")] == [True]
    assert "killing" not in patterns.without_idioms("work is killing me")


def test_a_repeated_sentence_is_read_once_with_the_same_result():
    patterns = Patterns(spec_with())
    repeated = "is it safe. " * 50 + "chest pain. chest pain right now"
    hits = patterns.hits(repeated)
    assert [hit.affirmed for hit in hits] == [True, True]
    one_by_one = [patterns.hits(sentence) for sentence in ("chest pain", "chest pain right now")]
    assert hits == [hit for found in one_by_one for hit in found]


def test_a_negation_inside_a_trigger_counts_only_when_the_trigger_does_not_need_it():
    spec = spec_with()
    spec["categories"] = {
        "breathing": {"tier": "life_threatening", "triggers": ["(?:not|isn'?t) breathing"]},
        "stroke": {"tier": "life_threatening", "triggers": ["face\\W+(?:\\w+\\W+){0,2}drooping"]},
    }
    patterns = Patterns(spec)
    assert [hit.affirmed for hit in patterns.hits("he is not breathing")] == [True]
    assert [hit.affirmed for hit in patterns.hits("her face isn't drooping")] == [False]
    # a sign listed after another negated one ("not moving, not breathing") still needs only its own "not"
    assert [hit.affirmed for hit in patterns.hits("not moving, not breathing")] == [True]


def test_the_classifier_must_be_very_sure_to_overrule_a_denied_trigger_of_its_own_category():
    text = "i dont want to hurt myself"
    hits = TRIAGE.patterns.hits(normal_form(text))
    assert {(hit.category, hit.modifiers) for hit in hits} == {("self_harm", ("negated",))}
    assert TRIAGE._bar(text, "self_harm", hits) == TRIAGE.overruled_at > TRIAGE.taken_back_at
    assert TRIAGE._bar(text, "overdose", hits) == TRIAGE.taken_back_at


class ScoresEverything:
    """A classifier that gives a message (the first text it scores) `probability` and every other
    text (a sentence, or a sentence with its neighbours) `short`, all of one `category`."""

    def __init__(self, probability: float, short: float | None = None, category: str = "collapse_seizure"):
        self.probability = probability
        self.short = probability if short is None else short
        self.category = category

    def scores(self, texts: list[str], excluded=frozenset()) -> list[tuple[float, str]]:
        return [(self.probability, self.category)] + [(self.short, self.category) for _ in texts[1:]]


def test_a_trigger_is_dismissed_only_when_the_classifier_is_sure_it_is_not_an_emergency():
    """The classifier's 'surely not' (below `dismissed_below`) overrules an affirmed trigger, but
    never one of suicide or self-harm; the real classifier keeps real emergencies well above it."""
    sure_not = Triage(load_patterns(), ScoresEverything(0.01))
    unsure = Triage(load_patterns(), ScoresEverything(0.2))
    assert sure_not.assess("my husband just collapsed on the floor") is None
    assert unsure.assess("my husband just collapsed on the floor").category == "collapse_seizure"
    assert sure_not.assess("i want to kill myself tonight").tier == CRISIS
    assert sure_not.assess("i swallowed all my pills, i want to die").also_crisis
    assert TRIAGE.assess("my D&D character got poisoned and failed the saving throw") is None
    assert TRIAGE.assess("my husband just collapsed on the floor").found_by == "pattern"


def test_a_trigger_told_of_elsewhere_needs_more_of_the_classifier_to_stand():
    """Beside a cue of fiction, the past or a what-if, even one that reads as now ("keeps
    fainting"), a trigger the classifier scores below `elsewhere_dismissed_below` is dismissed."""
    middling = Triage(load_patterns(), ScoresEverything(0.1))
    assert middling.assess("in the show the nurse keeps fainting every episode") is None
    assert middling.assess("my husband keeps fainting every few minutes").category == "collapse_seizure"
    assert TRIAGE.assess("in the audiobook the old sailor keeps passing out, what a bore") is None


def test_a_sentence_counts_only_where_it_is_alarming_in_its_context_a_crisis_sentence_sooner():
    text = "my husband and i argued all evening about it. which of us is right?"
    assert Triage(load_patterns(), ScoresEverything(0.1, short=0.6)).assess(text) is None
    assert Triage(load_patterns(), ScoresEverything(0.1, short=0.9)).assess(text) is None
    assert Triage(load_patterns(), ScoresEverything(0.3, short=0.6)).assess(text).sure is False
    crisis = Triage(load_patterns(), ScoresEverything(0.1, short=0.9, category="suicidal"))
    assert crisis.assess(text).tier == CRISIS
    harmless = Triage(load_patterns(), ScoresEverything(0.05, short=0.9, category="suicidal"))
    assert harmless.assess(text) is None
    # four sentences: the last one is read with the one before it
    long = "i love my clinic. the parking is easy. the staff are kind. which of us is right?"
    *_, (_, _, last, in_context) = TRIAGE._scored(normal_form(long))
    assert last == "which of us is right"
    excluded = TRIAGE.patterns.ruled_out(normal_form(long))
    assert (
        in_context == TRIAGE.classifier.scores(["the staff are kind. which of us is right"], excluded)[0][0]
    )
    assert TRIAGE.assess("I fainted once at a blood draw when I was 16. never since. is scraping ok?") is None


@pytest.mark.parametrize(
    "text",
    [
        "my wrist just flops after the session, is that normal?",
        "is it normal that my hand is numb after scraping this morning",
        "is it normal to not be able to lift my wrist after iastm",
    ],
)
def test_a_sign_of_ones_own_body_asked_about_as_normal_gets_the_unsure_reply(text):
    """Not silence: "is that normal?" is how people report what is happening to them."""
    found = TRIAGE.assess(text)
    assert (found.tier, found.category, found.sure) == (URGENT, "nerve_signs", False)


def test_a_sign_asked_about_as_normal_stays_unsure_however_sure_the_classifier_is():
    """The softer reply is for the question, not for the classifier's doubt; a sure sign of
    another category beside it is sure."""
    sure_nerves = Triage(load_patterns(), ScoresEverything(0.95, category="nerve_signs"))
    assert sure_nerves.assess("is it normal that my hand is numb after scraping").sure is False
    assert sure_nerves.assess("my hand went numb after scraping and stays numb").sure is True
    sure_heart = Triage(load_patterns(), ScoresEverything(0.95, category="heart_attack"))
    assert sure_heart.assess("is it normal that my hand is numb after scraping").sure is True


@pytest.mark.parametrize(
    "text",
    ["is it normal to feel tingling after scraping?", "is it normal for scraping to cause numbness?"],
)
def test_a_general_question_whether_a_sign_is_normal_is_no_emergency(text):
    assert TRIAGE.assess(text) is None


NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*]")


def test_patterns_have_no_nested_quantifiers():
    """Linear time on any input: no (a+)+ shapes that backtrack."""
    spec = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    sources = [
        *spec["macros"].values(),
        *spec["idioms"],
        *(cue for cues in spec["context"].values() for cue in cues),
        *(part for group in spec["categories"].values() for t in group["triggers"]
          for part in (t["all"] if isinstance(t, dict) else [t])),
    ]  # fmt: skip
    assert not [source for source in sources if NESTED_QUANTIFIER.search(source)]


def test_the_classifier_may_not_find_a_category_whose_words_a_message_lacks():
    """A bladder emergency needs a word of the bladder, bowel or saddle area for the classifier."""
    assert TRIAGE.patterns.ruled_out(normal_form("my back hurts and i can't play golf")) == {"bladder_bowel"}
    assert TRIAGE.patterns.ruled_out(normal_form("since the session i can't pee")) == frozenset()
    back_pain = Triage(load_patterns(), ScoresOnlyUnlessExcluded("bladder_bowel"))
    assert back_pain.assess("my back hurts and i can't play golf") is None
    assert back_pain.assess("my back hurts and now i'm wetting myself").category == "bladder_bowel"


class ScoresOnlyUnlessExcluded:
    """A classifier sure of one category, unless that category is excluded."""

    def __init__(self, category: str) -> None:
        self.category = category

    def scores(self, texts: list[str], excluded=frozenset()) -> list[tuple[float, str]]:
        return [(0.0 if self.category in excluded else 0.99, self.category) for _ in texts]


def test_every_category_has_a_known_tier_and_every_reply_exists_in_the_domain():
    patterns = load_patterns()
    assert set(patterns.tier_of.values()) == set(TIERS)
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for tier in TIERS:
        for sure in (True, False):
            for language in ("en", "es"):
                names = emergency_responses(
                    {"tier": tier, "sure": sure, "language": language, "also_crisis": True}
                )
                assert all(name in responses for name in names), names
    assert emergency_payload({"tier": "bogus"})["tier"] == "life_threatening"


def counts(path: Path) -> dict[tuple[bool, str], int]:
    """(is an emergency, language) -> number of messages in a triage data file."""
    found: dict[tuple[bool, str], int] = {}
    for example in read_triage_file(path):
        key = (example.label != NONE, example.language)
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.parametrize(
    ("paths", "least", "least_spanish", "both_kinds"),
    [
        (sorted(TRAINING_FOLDER.glob("*.yml")), 400, 60, True),
        *[([path], 150, 30, True) for path in HELD_OUT],
        # a development set may hold one kind only (emergencies or look-alikes written to probe one side),
        # and fewer of a kind when written to probe the other (triage_dev_hard.yml: 112 emergencies)
        *[([path], 100, 30, False) for path in DEVELOPMENT],
    ],
)
def test_the_data_sets_have_their_sizes_and_spanish_shares(paths, least, least_spanish, both_kinds):
    total: dict[tuple[bool, str], int] = {}
    for path in paths:
        for key, number in counts(path).items():
            total[key] = total.get(key, 0) + number
    kinds = (True, False) if both_kinds else {emergency for emergency, _ in total}
    for emergency in kinds:
        assert total.get((emergency, "en"), 0) + total.get((emergency, "es"), 0) >= least
        assert total.get((emergency, "es"), 0) >= least_spanish


def test_every_training_label_is_a_pattern_category():
    categories = set(load_patterns().tier_of)
    assert {e.label for e in training_examples()} - {NONE} <= categories
    held_out_texts = {normal_form(e.text) for path in HELD_OUT for e in read_triage_file(path)}
    triage_training = [e for path in sorted(TRAINING_FOLDER.glob("*.yml")) for e in read_triage_file(path)]
    shared = len(held_out_texts & {normal_form(e.text) for e in triage_training})
    assert shared == 0, f"{shared} held-out messages are in the training data"  # never print them
