"""The cleaned article copies: rebuilt faithfully from the raw texts, with no mis-decoded characters."""

import re

import pytest
from clean_articles import ARTICLES_DIR, clean_article, load_sources, repair_mojibake

MOJIBAKE = re.compile("[\u0e00-\u0e7f\u20ac\ufb00-\ufb06\u00a0]")


@pytest.mark.parametrize(
    "garbled, repaired",
    [
        ("range of motion \u0e42\u20ac\u201c ROM", "range of motion \u2013 ROM"),
        ("the body\u0e42\u20ac\u2122s natural", "the body\u2019s natural"),
        ("Astym\u0e22\u0e0e therapy", "Astym\u00ae therapy"),
        ("nonspeci\u0e4f\u0e0cc low back pain", "nonspecific low back pain"),
        ("trauma\u0e22\u00a0(Morad", "trauma (Morad"),
        (
            "plain text, \u201cquoted\u201d and it\u2019s fine",
            "plain text, \u201cquoted\u201d and it\u2019s fine",
        ),
    ],
)
def test_repair_mojibake(garbled, repaired):
    assert repair_mojibake(garbled) == repaired


@pytest.mark.parametrize("article", load_sources(), ids=lambda a: a["id"])
def test_committed_clean_copy_is_what_the_cleaner_gives(article):
    raw = (ARTICLES_DIR / article["raw"]).read_text(encoding="utf-8")
    committed = (ARTICLES_DIR / article["clean"]).read_text(encoding="utf-8")
    assert clean_article(raw, article.get("cut_from")) == committed


@pytest.mark.parametrize("article", load_sources(), ids=lambda a: a["id"])
def test_clean_copy_has_no_mis_decoded_characters(article):
    text = (ARTICLES_DIR / article["clean"]).read_text(encoding="utf-8")
    assert not MOJIBAKE.findall(text)


def test_cleaning_drops_the_repeated_title_and_the_footer_of_other_posts():
    text = (ARTICLES_DIR / "clean" / "iastm_clinic_article.txt").read_text(encoding="utf-8")
    assert text.count("Understanding Instrument-Assisted Soft Tissue Mobilization\n") == 1
    assert "Recent Posts" not in text and "Swayback" not in text
    assert "- Plantar fasciitis" in text
