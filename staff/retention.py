"""Conversation retention: delete tracker-store events older than a number of days.

The website server runs it at start and then daily (RETENTION_DAYS, default 90; 0 keeps everything).
By hand: python -m staff.retention DAYS [--endpoints endpoints.yml]
"""

import argparse
import time
from pathlib import Path

import sqlalchemy as sa

from staff.events import EVENTS, ROOT, database_url, engine_of


def prune_older_than(days: int, url: str) -> int:
    """Delete events older than `days` days from the tracker store at `url`; return how many."""
    if days < 1:
        raise ValueError("keep at least one day")
    engine = engine_of(url)
    if not sa.inspect(engine).has_table("events"):
        return 0
    with engine.begin() as connection:
        cutoff = time.time() - days * 86400
        return connection.execute(sa.delete(EVENTS).where(EVENTS.c.timestamp < cutoff)).rowcount


def main() -> None:
    """Delete what is older than the days given."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("days", type=int)
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    args = parser.parse_args()
    deleted = prune_older_than(args.days, database_url(args.endpoints))
    print(f"Deleted {deleted} events older than {args.days} days.")


if __name__ == "__main__":
    main()
