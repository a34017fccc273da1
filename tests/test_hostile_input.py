"""A hostile public cannot stall, flood or hijack the assistant: the pieces, without servers.

Bounded work per message (the message gate every channel shares), conversation ids no one can
forge or cross between channels, client addresses that cannot be spoofed, a report that stays
small and cannot be reversed to phone numbers, logs without message text, `make ask` without a shell.
"""

import hashlib
import multiprocessing
import re
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from channels.gate import TOO_MANY, MessageGate, RateLimit, SharedRateLimit
from channels.sessions import SessionTokens, namespaced, provider_id
from channels.text import MAX_TOKENS, TOKEN, bounded, printable, tidy
from nlu_addons.spelling import SpellingCorrector
from server.input_guard import GuardedRestInput, client_address, is_trusted, trusted_networks
from server.log_privacy import without_message_text
from server.long_messages import MAX_QUESTIONS, question_sentences
from server.two_questions import question_parts
from staff import report
from staff.events import Turn

ROOT = Path(__file__).resolve().parent.parent
# Inputs that took seconds to minutes on the old code: runs of spaces for the clause splitter, one
# enormous unknown word for the spelling corrector, hundreds of sentences for question focus.
PATHOLOGICAL = [
    "a" + " " * 5000 + "a",
    "is it safe" + " " * 3000 + ", and" + " " * 3000 + "x",
    "x" * 5000,
    "why? " * 2000,
    "<a " * 8000 + "<b x" * 8000 + "<script>" * 4000,  # unclosed tags for the markup remover
]


def _run_all(texts: list[str]) -> None:
    corrector = SpellingCorrector({"graston": 5, "painful": 3})
    for text in texts:
        question_parts(text)
        question_sentences(text)
        corrector.correct(text)
        tidy(text)


@pytest.mark.integration  # a Python process of its own, importing Rasa and TensorFlow
def test_pathological_text_is_handled_in_linear_time_without_hanging():
    """Each of these kept a CPU busy for seconds or minutes; now all of them take milliseconds. The
    generous limit only catches a hang (a timing target is the benchmark's job)."""
    worker = multiprocessing.get_context("spawn").Process(target=_run_all, args=(PATHOLOGICAL,))
    worker.start()
    worker.join(60)
    hung = worker.is_alive()
    worker.kill()
    assert not hung and worker.exitcode == 0


def test_question_focus_parses_a_bounded_number_of_different_sentences():
    assert question_sentences("why? " * 200) == ["why?"]
    assert len(question_sentences(" ".join(f"why {n}?" for n in range(200)))) == MAX_QUESTIONS


def test_nlu_reads_a_bounded_text():
    assert bounded("?" * 1000) == "???" and bounded("why " * 250 + "ok") == "why why why ok"
    assert bounded(tidy("why? " * 200)) == "why? why? why?"
    long = " ".join(f"word{n}" for n in range(300)) + " and what is graston?"
    read = bounded(long)
    assert read.startswith("word0 word1") and read.endswith("and what is graston?")
    assert len(TOKEN.findall(read)) <= MAX_TOKENS + 3  # and the "..." where the middle was


def test_the_spelling_corrector_leaves_an_enormous_word_alone():
    assert SpellingCorrector({"graston": 5}).correct_word("g" * 1000) == "g" * 1000


def test_tidy_removes_control_characters_and_collapses_runs():
    assert tidy("is\x00 it\u200b   \t painful?\x9b\x1b[31m \n\n\n ok") == "is it painful?[31m\nok"
    assert printable("evil\x9b2J\x1b]0;title\x07 text") == "evil2J]0;title text"


def test_tidy_removes_markup_tags_but_not_angle_brackets_in_words():
    assert tidy("<script>alert(1)</script> what is <b>IASTM</b>?") == "what is IASTM ?"
    assert tidy("<STYLE type=x>p {color: red}</style>does it hurt") == "does it hurt"
    assert tidy('my <img src=x onerror="alert(1)"> knee') == "my knee"
    assert tidy("sore for <3 days, pain < 5 of 10 <3") == "sore for <3 days, pain < 5 of 10 <3"


def test_the_gate_reads_the_whole_text_then_bounds_it():
    gate = MessageGate(max_chars=100, per_minute=30)
    chatter = "I have a question about scraping and its price. " * 10
    refused = gate.admit("rest:a", chatter)
    assert (refused.text, refused.status) == (None, 413) and "100 characters" in refused.refusal
    urgent = gate.admit("rest:a", chatter + "Now my husband collapsed and is not breathing.")
    assert urgent.text == "Now my husband collapsed and is not breathing"
    assert gate.admit("rest:a", "is   it\x00 painful?").text == "is it painful?"


def test_a_text_nlu_gets_shortened_goes_on_whole_for_triage():
    gate = MessageGate(per_minute=30)
    rambling = BOOKING_STORY + " My chest is crushing right now. " + BOOKING_QUESTIONS
    admitted = gate.admit("rest:b", rambling)
    assert "crushing" not in admitted.text  # NLU reads the start and the end
    assert admitted.metadata == {"text_in_full": tidy(rambling)}
    assert gate.admit("rest:b", "is it painful?").metadata is None


# Varied sentences (a run of one repeated sentence is cut to three), about 50 words each.
BOOKING_STORY = (
    "I booked a scraping session for my calf next week because it has been tight since the marathon. "
    "My sister had it done for her shoulder last spring and she swears by it, so I thought I would try. "
    "The clinic is close to my office, which helps a lot with my schedule."
)
BOOKING_QUESTIONS = (
    "Do I need to bring shorts or will you have something for me to change into? How long does a "
    "session usually take from start to finish? Should I stretch before I come in or is that a bad idea? "
    "Can I go for a run the same evening, or should I rest that day? Is parking free at your building?"
)


def test_the_gate_limits_each_conversation_and_its_memory_stays_bounded():
    gate = MessageGate(per_minute=30)
    answers = [gate.admit("telegram:1", "hi").status for _ in range(12)]
    assert answers[:10] == [200] * 10 and answers[10:] == [429, 429]
    assert gate.admit("telegram:1", "hi").refusal == TOO_MANY
    assert gate.admit("telegram:2", "hi").status == 200  # another conversation is not held up
    limit = RateLimit(per_minute=60, capacity=100)
    for number in range(10_000):
        limit.allow(f"sender-{number}")
    assert len(limit.buckets) == 100


def test_processes_share_one_count_through_redis():
    """Two processes (two limiters) counting the same key in Redis: the limit holds across both."""
    url = "redis://127.0.0.1:6379/3"
    first, second = SharedRateLimit(url, "test", 4), SharedRateLimit(url, "test", 4)
    try:
        first.redis.ping()
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        pytest.skip("no Redis server on 127.0.0.1:6379")
    key = uuid.uuid4().hex
    answers = [limiter.allow(key, now=600.0) for limiter in (first, second) * 3]
    assert answers == [True, True, True, True, False, False]
    assert first.allow(key, now=660.0)  # the next minute


def test_tokens_cannot_be_forged_and_name_their_kind_of_conversation():
    tokens = SessionTokens("secret")
    web = tokens.issue("web")
    assert tokens.conversation_of(web) == "web:" + web.split("-", 1)[1].split(".")[0]
    assert tokens.conversation_of(web, kinds=("socketio",)) is None
    assert SessionTokens("another secret").conversation_of(web) is None
    body, _ = web.split(".")
    for forged in (body, body + "." + "0" * 32, web + "x", "staff" + web[3:], 42, None, ""):
        assert tokens.conversation_of(forged) is None


def test_conversations_are_namespaced_by_channel():
    assert namespaced("telegram", "12345678") == "telegram:12345678"
    assert provider_id("twilio:whatsapp:+15551234567") == "whatsapp:+15551234567"
    rest = GuardedRestInput(tokens=SessionTokens("secret"))
    assert rest.conversation_of("12345678") == "rest:12345678"  # a Telegram chat's id stays a REST id
    staff = SessionTokens("secret").issue("staff")
    assert rest.conversation_of(staff).startswith("staff:")
    assert rest.conversation_of(SessionTokens("secret").issue("socketio")) is None
    assert rest.conversation_of("staff-" + "a" * 32) == "rest:staff-" + "a" * 32  # a patient, not staff
    for bad in ("telegram:12345678", "../../etc", "x", None, 7):
        assert rest.conversation_of(bad) is None


def request_from(peer: str, forwarded: str = "") -> SimpleNamespace:
    return SimpleNamespace(ip=peer, headers={"x-forwarded-for": forwarded} if forwarded else {})


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy():
    trusted = trusted_networks("127.0.0.1, 10.0.0.2")
    assert client_address(request_from("198.51.100.9", "1.2.3.4"), trusted) == "198.51.100.9"
    assert client_address(request_from("127.0.0.1", "203.0.113.7"), trusted) == "203.0.113.7"
    # a visitor's own X-Forwarded-For is left of the address the first proxy saw: never reached
    assert (
        client_address(request_from("127.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2"), trusted) == "203.0.113.7"
    )
    assert client_address(request_from("127.0.0.1"), trusted) == "127.0.0.1"


def test_trusted_proxies_may_be_networks_as_containers_get_addresses_from_one():
    """Compose gives nginx and the website server addresses in the frontend network's subnet."""
    trusted = trusted_networks("127.0.0.1,::1,172.28.0.0/24")
    # the website server relays what nginx forwarded, plus nginx's own address
    chain = "203.0.113.7, 172.28.0.3"
    assert client_address(request_from("172.28.0.4", chain), trusted) == "203.0.113.7"
    assert client_address(request_from("172.28.1.4", chain), trusted) == "172.28.1.4"  # outside the subnet
    assert client_address(request_from("::1", "2001:db8::5"), trusted) == "2001:db8::5"
    assert client_address(request_from("172.28.0.4", "not an address"), trusted) == "not an address"
    assert not is_trusted("", trusted) and not is_trusted("172.28.0.x", trusted)


def turns(*texts: str, sender: str = "telegram:+15551234567") -> list[Turn]:
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    return [
        Turn(sender, now + timedelta(minutes=index), text, "out_of_scope", 0.9, "no_answer", None)
        for index, text in enumerate(texts)
    ]


def test_report_labels_are_keyed_and_staff_lookups_are_left_out():
    label = report.conversation_label("telegram:+15551234567")
    assert label != hashlib.sha256(b"telegram:+15551234567").hexdigest()[:10]
    built = report.build_report(
        turns("how much does it cost?") + turns("price?", sender="staff:" + "a" * 32),
        datetime(2026, 11, 1, tzinfo=timezone.utc),
        datetime(2026, 12, 1, tzinfo=timezone.utc),
    )
    assert built.questions == 1 and built.groups[0].conversations == {label}


def test_report_text_has_no_control_characters():
    built = report.group_similar(turns("price?\x1b]0;pwned\x07\x9b2J"))
    assert built[0].question == "price?]0;pwned2J"


def test_a_flood_of_junk_is_grouped_within_a_bounded_size():
    flood = turns(*(f"junk{number} question" for number in range(report.MAX_GROUPED + 500)))
    groups = report.group_similar(flood)
    assert sum(group.count for group in groups) == report.MAX_GROUPED


def test_message_text_is_dropped_from_logs_in_every_renderer():
    assert (
        without_message_text('{"text": "my name is Jo", "event": "x"}')
        == '{"text": "[removed]", "event": "x"}'
    )
    console = "rest.message.received.timeout  text='my name is Jo' sender_id=abc"
    assert without_message_text(console) == "rest.message.received.timeout  text=[removed] sender_id=abc"
    coloured = "timeout \x1b[36mtext\x1b[0m=\x1b[35m'Jo Doe'\x1b[0m"
    assert "Jo Doe" not in without_message_text(coloured)


def test_make_ask_passes_the_question_through_the_environment_not_a_shell():
    question = 'is it "painful"?"; touch /tmp/PWNED-by-make-ask; echo "'
    dry_run = subprocess.run(
        ["make", "-n", "--always-make", "ask", f"Q={question}"], cwd=ROOT, capture_output=True, text=True
    )
    assert "PWNED" not in dry_run.stdout and "staff.lookup" in dry_run.stdout


def test_the_servers_listen_on_this_machine_only_and_allow_no_wildcard_origin():
    serve = (ROOT / "scripts" / "serve.sh").read_text(encoding="utf-8")
    assert '--interface "$RASA_INTERFACE"' in serve and "RASA_INTERFACE=${RASA_INTERFACE:-127.0.0.1}" in serve
    assert not re.search(r"--cors\s+\"?\*", serve)
    prod = (ROOT / "server" / "prod.py").read_text(encoding="utf-8")
    assert '"--interface", "127.0.0.1"' in prod


def test_the_per_address_limit_comes_from_credentials_else_the_environment(monkeypatch):
    """Ten messages a second for a minute from one address: a burst of 30, then the limit's rate."""
    monkeypatch.delenv("RATE_LIMIT_REDIS_URL", raising=False)

    def allowed_in_a_minute(rest: GuardedRestInput) -> int:
        return sum(rest.per_address.allow("203.0.113.7", now=tenth / 10) for tenth in range(600))

    monkeypatch.setenv("MESSAGES_PER_MINUTE_PER_ADDRESS", "600")
    assert allowed_in_a_minute(GuardedRestInput()) == 600
    assert 30 + 5 <= allowed_in_a_minute(GuardedRestInput(messages_per_minute_per_address=6)) <= 30 + 6
    monkeypatch.delenv("MESSAGES_PER_MINUTE_PER_ADDRESS")
    assert 30 + 119 <= allowed_in_a_minute(GuardedRestInput()) <= 30 + 120  # the default, 120 a minute
