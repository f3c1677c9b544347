"""The service's logs hold back repeated warnings: an outage is a few lines, not one an attempt.

The logging configuration the service runs with is applied in a process of its
own (it is global to a process), timed by a ManualClock the script moves.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from uuid import uuid4

from adapters.repeated_warnings import RepeatedWarnings
from moviecore.testing import ManualClock

# 161 attempts 0.125 s apart (20 s), a failed request every 20 of them, two pages that
# left out movies, then two errors.
OUTAGE = """
import logging
from adapters.logs import configure_logs
from moviecore.testing import ManualClock

clock = ManualClock()
configure_logs("json", clock=clock)
pool, service = logging.getLogger("psycopg.pool"), logging.getLogger("moviecore.postgres")
for attempt in range(161):
    pool.warning("error connecting in %r: %s", "moviecore", "connection refused")
    if attempt % 20 == 0:
        service.warning("PostgreSQL server unreachable: %s", "connection refused")
    clock.advance(0.125)
for page in (1, 2):
    logging.getLogger("upstream").warning("upstream page %d: left out %d movies", page, page)
logging.getLogger("moviecore").error("worker %d died", 7)
logging.getLogger("moviecore").error("worker %d died", 7)
"""
REFUSED = "error connecting in 'moviecore': connection refused"
UNREACHABLE = "PostgreSQL server unreachable: connection refused"


def test_a_warning_repeated_through_an_outage_is_a_line_every_10_s() -> None:
    """Through a 20 s outage, the same warning is written at once and then every 10 s, each
    line counting those held back since the last; a warning saying something new, and every
    error, is written."""
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE], capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["logger"], line["level"], line["event"]) for line in lines] == [
        ("psycopg.pool", "warning", REFUSED),
        ("moviecore.postgres", "warning", UNREACHABLE),
        ("psycopg.pool", "warning", f"{REFUSED} (79 more like it in the 10 s before)"),
        ("moviecore.postgres", "warning", f"{UNREACHABLE} (3 more like it in the 10 s before)"),
        ("psycopg.pool", "warning", f"{REFUSED} (79 more like it in the 10 s before)"),
        ("moviecore.postgres", "warning", f"{UNREACHABLE} (3 more like it in the 10 s before)"),
        ("upstream", "warning", "upstream page 1: left out 1 movies"),
        ("upstream", "warning", "upstream page 2: left out 2 movies"),
        ("moviecore", "error", "worker 7 died"),
        ("moviecore", "error", "worker 7 died"),
    ]


def test_warnings_past_the_bound_are_forgotten_the_longest_unseen_first() -> None:
    """With room for two warnings, a third makes the filter forget the one seen longest ago,
    which is then written again: what it remembers stays bounded whatever is logged."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RepeatedWarnings(clock=ManualClock(), max_seen=2))
    logger = logging.getLogger(f"tests.repeats.{uuid4().hex}")
    logger.propagate = False
    logger.addHandler(handler)
    for message in ("one", "two", "one", "three", "two", "one", "three"):
        logger.warning(message)
    assert stream.getvalue().splitlines() == ["one", "two", "three", "two", "one", "three"]
