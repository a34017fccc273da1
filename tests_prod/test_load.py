"""A few hundred simulated users hold multi-turn conversations across the Rasa replicas of the
production profile while one replica is killed: every reply arrives, in order, and every
conversation is complete in PostgreSQL (tests_prod/load.py says how repeats are counted).

The figures go to results/prod-load.json (make test-prod); docs/benchmarks.md reports them.
"""

import asyncio

import psycopg2

from server.processes import ROOT
from tests_prod.load import check_and_report, hold_conversations, turns_by_conversation

RESULTS = ROOT / "results" / "prod-load.json"


def stored_rows(environ: dict) -> list[tuple[str, str]]:
    connection = psycopg2.connect(host=environ["POSTGRES_HOST"], port=environ["POSTGRES_PORT"],
                                  user=environ["POSTGRES_USER"], dbname=environ["POSTGRES_DB"])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id")
        rows = cursor.fetchall()
    connection.close()
    return rows


def test_conversations_survive_a_dead_replica_under_load(topology):
    run = asyncio.run(hold_conversations(topology.url, lambda: topology.kill("rasa-1")))
    stored = turns_by_conversation(stored_rows(topology.environ))
    check_and_report(run, stored, RESULTS, "one Rasa process (rasa-1) killed a third of the way through")
    topology.start_rasa(0)  # back to two replicas for any later test
