"""The production topology in containers, as an operator starts it (deploy/README.md): every
container healthy and locked down, a real conversation through nginx (REST and the website relay),
a load test with one Rasa container killed part-way, the action servers stopped, and the latency
of routing a conversation to one replica against round robin (measured, not asserted)."""

import asyncio
import json
import time
import uuid
from collections import defaultdict

import requests

from server.processes import ROOT
from tests_deploy.conftest import TEST_NGINX_CONF, nginx_conf_for_one_client
from tests_prod.load import check_and_report, hold_conversations, percentiles_ms, turns_by_conversation

RESULTS = ROOT / "results" / "deploy-load.json"
ROUTING_RESULTS = ROOT / "results" / "deploy-routing.json"
ROUTING_USERS = 50  # all talking at once, as in make bench's load test
APP_SERVICES = ("rasa", "actions", "web")


def say(stack, sender: str, text: str) -> list[dict]:
    response = requests.post(stack.url + "/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=90)  # fmt: skip
    assert response.status_code == 200, response.text
    return [reply["custom"] for reply in response.json() if "custom" in reply]


def test_every_service_is_up_healthy_and_locked_down(stack):
    for service, count in (
        ("rasa", 2),
        ("actions", 2),
        ("web", 1),
        ("nginx", 1),
        ("postgres", 1),
        ("redis", 1),
    ):
        containers = stack.containers(service)
        assert len(containers) == count, service
        for container in containers:
            assert container["State"]["Health"]["Status"] == "healthy", service
            assert container["HostConfig"]["ReadonlyRootfs"], service
            if service in APP_SERVICES:
                assert container["Config"]["User"] == "10001:10001"
                assert container["HostConfig"]["CapDrop"] == ["ALL"]
    published = {s: [c["HostConfig"]["PortBindings"] for c in stack.containers(s)] for s in APP_SERVICES}
    assert all(bindings == [{}] * len(bindings) for bindings in published.values()), published


def test_a_multi_turn_conversation_through_nginx(stack):
    sender = "deploy-" + uuid.uuid4().hex
    assert [p["topic"] for p in say(stack, sender, "is IASTM painful?")] == ["painful"]
    assert [p["topic"] for p in say(stack, sender, "tell me more")] == ["painful"]
    emergency = say(stack, sender, "my dad collapsed and he isn't breathing")
    assert emergency[0]["type"] == "emergency"
    stored = stack.sql(
        f"SELECT count(*) FROM events WHERE sender_id = 'rest:{sender}' AND type_name = 'user'"
    )
    assert stored == [["3"]]
    assert requests.get(stack.url + "/model/parse", timeout=10).status_code in (403, 404, 405)


def test_the_website_relay_and_pages_through_nginx(stack):
    origin = {"Origin": stack.url}
    session = requests.post(stack.url + "/chat/session", headers=origin, timeout=10).json()["session"]
    reply = requests.post(stack.url + "/chat", json={"sender": session, "message": "what is graston?"},
                          headers=origin, timeout=90)  # fmt: skip
    assert reply.status_code == 200
    assert any(r.get("custom", {}).get("type") == "answer" for r in reply.json()), reply.json()
    assert requests.get(stack.url + "/", timeout=10).status_code == 200
    assert requests.get(stack.url + "/staff", timeout=10).status_code == 401
    assert (
        requests.get(stack.url + "/staff", auth=("desk", "test-staff-token"), timeout=10).status_code == 200
    )


KILL_RASA_SERVER = """
import os, signal
for pid in filter(str.isdigit, os.listdir("/proc")):
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        if int(pid) != os.getpid() and b"server.launch" in cmdline.read():
            os.kill(int(pid), signal.SIGKILL)
"""


def kill_rasa_process(stack) -> None:
    """Kills the Rasa server inside the first rasa container, as a crash would (Docker restarts it)."""
    stack.compose("exec", "-T", "--index", "1", "rasa", "python", "-c", KILL_RASA_SERVER)


def test_conversations_survive_a_killed_rasa_container_under_load(stack):
    run = asyncio.run(hold_conversations(stack.url, lambda: kill_rasa_process(stack)))
    stored = turns_by_conversation(
        stack.sql("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id")
    )
    check_and_report(
        run,
        stored,
        RESULTS,
        "the Rasa server in one of two rasa containers killed a third of the way through",
    )
    stack.wait_healthy()  # Docker restarted it


def test_with_the_action_servers_stopped_the_visitor_gets_the_helpful_reply(stack):
    stack.compose("stop", "actions")
    try:
        payloads = say(stack, "deploy-" + uuid.uuid4().hex, "does IASTM leave bruises?")
        assert [p["type"] for p in payloads] == ["unavailable"]
        assert payloads[0]["contact"]
    finally:
        stack.compose("start", "actions")
        stack.wait_healthy()


def test_routing_by_conversation_against_round_robin(stack):
    """Every reply right either way; the latencies of 50 users at once go to results/deploy-routing.json
    (docs/benchmarks.md). Two rounds of each, alternated, so that neither goes first on a cold cache."""
    by_conversation = nginx_conf_for_one_client()
    round_robin = by_conversation.replace(
        "proxy_pass http://rasa_by_conversation;", "proxy_pass http://rasa_any;"
    )
    round_robin = round_robin.replace(
        "  upstream rasa_by_conversation {", ROUND_ROBIN_UPSTREAM + "  upstream rasa_by_conversation {"
    )
    assert round_robin.count("rasa_any") == 3  # the upstream, its zone and the proxy_pass
    latencies: dict[str, list[float]] = {"by conversation": [], "round robin": []}
    replicas: dict[str, list[int]] = {"by conversation": [], "round robin": []}
    try:
        for routing, conf in [("round robin", round_robin), ("by conversation", by_conversation)] * 2:
            TEST_NGINX_CONF.write_text(conf, encoding="utf-8")
            stack.compose("exec", "-T", "nginx", "nginx", "-s", "reload")
            time.sleep(2)  # the old workers finish
            run = asyncio.run(hold_conversations(stack.url, users=ROUTING_USERS, concurrent=ROUTING_USERS))
            assert run["failures"] == [], run["failures"][:5]
            latencies[routing] += run["latencies"]
            routes = replicas_by_key(stack, "route")
            replicas[routing] += [len(routes[sender]) for sender in run["senders"]]
    finally:
        TEST_NGINX_CONF.write_text(by_conversation, encoding="utf-8")
        stack.compose("exec", "-T", "nginx", "nginx", "-s", "reload")
    assert set(replicas["by conversation"]) == {1}, "each conversation on one replica"
    assert replicas["round robin"].count(2) > ROUTING_USERS, "round robin spreads a conversation"
    figures = {
        routing: {"messages": len(values), **percentiles_ms(values)} for routing, values in latencies.items()
    }
    figures["users"] = ROUTING_USERS
    ROUTING_RESULTS.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(figures)


def test_socketio_stays_with_one_replica_per_client_address(stack):
    """socket.io keeps a session in one process: every request of one address reaches one replica."""
    for _ in range(20):
        handshake = requests.get(stack.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
        assert handshake.status_code == 200 and '"sid"' in handshake.text
    (replicas,) = replicas_by_key(stack, "sticky").values()  # one client address
    assert len(replicas) == 1, replicas


def replicas_by_key(stack, kind: str) -> dict[str, set[str]]:
    """The Rasa replicas nginx sent each key's requests to, from its `route <conversation> <replica>`
    or `sticky <address> <replica>` log lines (tests_deploy/conftest.py), read once."""
    replicas: dict[str, set[str]] = defaultdict(set)
    for line in stack.compose("logs", "--no-color", "nginx").splitlines():
        words = line.split()
        if len(words) >= 3 and words[-3] == kind:
            replicas[words[-2]].add(words[-1])
    return replicas


ROUND_ROBIN_UPSTREAM = """  upstream rasa_any {
    zone rasa_any 64k;
    server rasa:5005 resolve max_fails=1 fail_timeout=10s;
  }
"""
