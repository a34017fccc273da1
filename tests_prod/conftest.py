"""The production profile, started once for these tests on free ports with test secrets."""

import os
import uuid

import pytest

from server.processes import free_port
from server.prod import Topology, prepare_environment

SECRETS = {
    "ACTION_SERVER_SECRET": "test-action-secret",
    "STAFF_TOKEN": "test-staff-token",
    "ALLOWED_ORIGINS": "https://clinic.example",
    "SESSION_SECRET": "test-session-secret",
    "POSTGRES_DB": "iastm_prod_test_" + uuid.uuid4().hex[:8],
    "REDIS_DB": "2",
    "NGINX_RATE_PER_SECOND": "1000",  # the load test comes from one address
    "CLINIC_OPENING_HOURS": "Mon-Sun 00:00-24:00",  # the front desk always in, for the handoff test
}


@pytest.fixture(scope="session")
def topology(tmp_path_factory):
    from server.prod import ensure_database

    environ = prepare_environment({**os.environ, **SECRETS})
    try:
        ensure_database(environ)
    except Exception as error:  # noqa: BLE001 - any connection failure means the service is absent
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    running = Topology(tmp_path_factory.mktemp("prod"), free_port(), 2, environ)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        drop_database(environ)


def drop_database(environ: dict) -> None:
    import psycopg2

    connection = psycopg2.connect(host=environ["POSTGRES_HOST"], port=environ["POSTGRES_PORT"],
                                  user=environ["POSTGRES_USER"], dbname="postgres")  # fmt: skip
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{environ["POSTGRES_DB"]}" WITH (FORCE)')
    connection.close()
