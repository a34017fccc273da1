"""The printable FAQ handout: everything the assistant says is in it, escaped, and it prints to a PDF."""

import re
from datetime import date

import pytest
import yaml
from markupsafe import escape

from actions.clinic import Clinic, load_clinic
from actions.knowledge import CONDITION_INTENT, KnowledgeBase, Passage, Topic, load_knowledge
from actions.replies import answer_reply, reference_text
from handout.build import CONDITIONS, OTHER, SECTIONS_FILE, build, build_html, sections

INJECTION = '<script>alert("x")</script> & <b>'


@pytest.fixture(scope="module")
def html():
    return build_html(load_knowledge(), load_clinic(), date(2026, 1, 2))


def test_every_topic_question_and_passage_quote_is_in_the_handout(html):
    kb = load_knowledge()
    for topic in kb.topics.values():
        assert str(escape(topic.question)) in html, topic.id
        for passage in topic.answer:
            assert str(escape(passage.quote)) in html, topic.id
            for item in passage.items:
                assert str(escape(item)) in html, topic.id


def test_every_line_of_the_assistants_answers_is_printed(html):
    kb = load_knowledge()
    for topic in kb.topics.values():
        for line in answer_reply(kb, topic, topic.answer).text.split("\n"):
            assert str(escape(line)) in html, (topic.id, line)


def test_references_articles_disclaimer_contact_and_date_are_in_the_handout(html):
    kb = load_knowledge()
    for reference in kb.references.values():
        assert str(escape(reference_text(kb, reference))) in html, reference.key
    assert "the article cites this study but gives no full reference" in html
    assert "Chiropractic &amp; manual therapies" in html
    for article in kb.articles.values():
        assert str(escape(article.label)) in html
    assert str(escape(kb.wording["disclaimer"])) in html
    assert str(escape(load_clinic().contact)) in html
    assert "2 January 2026" in html


def test_every_topic_is_in_exactly_one_section_and_conditions_have_their_own():
    kb = load_knowledge()
    grouped = {title: [topic.id for topic in topics] for title, topics in sections(kb)}
    printed = [topic_id for ids in grouped.values() for topic_id in ids]
    assert sorted(printed) == sorted(kb.topics)
    assert grouped[CONDITIONS] == [topic.id for topic in kb.condition_topics]
    assert all(kb.topics[topic_id].intent != CONDITION_INTENT for title, ids in grouped.items()
               if title != CONDITIONS for topic_id in ids)  # fmt: skip


def test_text_from_the_data_is_escaped():
    kb = load_knowledge()
    hostile = Topic(
        id="hostile", intent="ask_hostile", question=INJECTION,
        answer=(Passage(article="clinic_article", quote=INJECTION, items=(INJECTION,)),),
    )  # fmt: skip
    kb = KnowledgeBase(
        topics={**kb.topics, "hostile": hostile}, references=kb.references,
        articles=kb.articles, wording=kb.wording,
    )  # fmt: skip
    clinic = Clinic(
        name=INJECTION, phone="1", website="", emergency_number="911", crisis_line="988", poison_control="1"
    )
    html = build_html(kb, clinic, date(2026, 1, 2))
    assert INJECTION not in html and "<script" not in html
    assert html.count(str(escape(INJECTION))) >= 4  # question, quote, item, contact
    assert hostile in dict(sections(kb))[OTHER]  # a topic no group lists is still printed


@pytest.mark.integration  # prints with Chromium
def test_build_writes_the_html_and_a_pdf_of_a_few_pages(tmp_path):
    pdf_path = build(tmp_path)
    assert pdf_path == tmp_path / "iastm-faq.pdf"
    assert (tmp_path / "iastm-faq.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert 2 <= pages <= 20


def test_the_section_file_names_only_known_topics_once():
    listed = [
        topic
        for section in yaml.safe_load(SECTIONS_FILE.read_text(encoding="utf-8"))
        for topic in section["topics"]
    ]
    assert len(listed) == len(set(listed)) and set(listed) <= set(load_knowledge().topics)
