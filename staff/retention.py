"""Conversation retention: delete tracker-store events older than a number of days.

Usage: python -m staff.retention DAYS [--endpoints endpoints.yml]  (the production profile runs it
at start when RETENTION_DAYS is set; run it daily from cron to keep the limit)
"""

import argparse
import os
import time
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa

from staff.events import EVENTS, ROOT, database_url


def prune_older_than(
    days: int, endpoints: Path = ROOT / "endpoints.yml", environ: Mapping[str, str] = os.environ
) -> int:
    """Delete events older than `days` days; return how many were deleted."""
    if days < 1:
        raise ValueError("keep at least one day")
    engine = sa.create_engine(database_url(endpoints, environ))
    try:
        if not sa.inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            cutoff = time.time() - days * 86400
            return connection.execute(sa.delete(EVENTS).where(EVENTS.c.timestamp < cutoff)).rowcount
    finally:
        engine.dispose()


def main() -> None:
    """Delete what is older than the days given."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("days", type=int)
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    args = parser.parse_args()
    print(f"Deleted {prune_older_than(args.days, args.endpoints)} events older than {args.days} days.")


if __name__ == "__main__":
    main()
