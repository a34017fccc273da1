"""Red flags are found in everyday wording, and ordinary IASTM questions are not mistaken for them."""

import pytest

from nlu_addons.red_flags import RedFlags

RED_FLAGS = RedFlags.from_file()


@pytest.mark.parametrize(
    "text, flag",
    [
        ("I have crushing chest pain", "chest_pain"),
        ("there's pressure in my chest and my arm hurts", "chest_pain"),
        ("I can’t breathe properly", "breathing"),
        ("my dad's face is drooping and his speech is slurred", "stroke"),
        ("I keep thinking about suicide", "suicide"),
        ("i want to end my life", "suicide"),
        ("had graston yesterday, now my calf is hot and swollen", "blood_clot"),
        ("hot swollen calf and I'm a bit breathless", "breathing"),
        ("she passed out after the session", "collapse"),
        ("the scrape cut won't stop bleeding", "bleeding"),
        ("I can't feel my legs", "spinal"),
        ("fell off my bike and i cant feel my legs", "spinal"),
        ("I've been thinking about ending it all", "suicide"),
        ("everyone would be better off dead without me", "suicide"),
        ("i think my dad is having a heart atack", "chest_pain"),
        ("cant breath properly", "breathing"),
    ],
)
def test_red_flags_are_found(text, flag):
    assert RED_FLAGS.find(text) == flag


@pytest.mark.parametrize(
    "text",
    [
        "is IASTM painful?",
        "will I get red dots on my calf after graston",
        "how many strokes of the tool does a session use",
        "does it help upper back pain",
        "can it help my breathing muscles relax",
        "does scraping therapy leave bruises",
    ],
)
def test_ordinary_questions_are_not_red_flags(text):
    assert RED_FLAGS.find(text) is None
