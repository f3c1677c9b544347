"""Two instances behind the reference nginx configuration, restarted one at a time
under steady clients, as docs/deployment.md tells an operator to.

The clients talk to nginx alone. Each instance in turn gets SIGTERM, drains and
exits, then starts again; the next is restarted once nginx sends requests to the
first again. Half the clients create collections: a POST must never be lost nor
sent twice, and no client may see anything but a 2xx.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from fixtures.load import GUARD_SECONDS, SteadyClients, steady_clients
from fixtures.nginx import error_log, nginx
from fixtures.server import ServerProcess, read_count, register_user, two_instances

DRAIN_SECONDS = 2
PROVEN = 20
"""Requests an instance answers after its start before the next instance is restarted."""


def _answered(server: ServerProcess) -> float:
    """Requests the server has answered since it started, as its metrics count them."""
    text = httpx.get(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "moviecore_http_requests"
        for sample in family.samples
        if sample.name == "moviecore_http_requests_total"
    )


def _restart_when_served(server: ServerProcess, clients: SteadyClients) -> None:
    """Restart ``server`` (SIGTERM, wait for its exit, start), then wait until nginx
    sends it requests again, as an operator waits before restarting the next."""
    server.restart()
    clients.wait_for(lambda: _answered(server) > PROVEN)


def test_rolling_restart_behind_nginx_answers_every_request_once(tmp_path: Path) -> None:
    """20 clients through nginx, half of them writing, while both instances are restarted
    in turn: every answer is a 2xx, no request is lost, and the request count holds
    exactly the requests answered (none sent twice)."""
    folder = tmp_path / "nginx"
    with (
        two_instances(tmp_path, DRAIN_SECONDS) as (first, second),
        nginx(folder, [first.port, second.port]) as proxy,
    ):
        with steady_clients([proxy]) as clients:
            for server in (first, second):
                _restart_when_served(server, clients)
        tally = clients.tally
        # each start's health check is counted, then the registration and the read
        expected = tally.answered + 4 + 2
        with httpx.Client(base_url=proxy, timeout=GUARD_SECONDS) as http:
            count = read_count(http, register_user(http), expected)

    failures = {status: n for status, n in tally.statuses.items() if not 200 <= status < 300}
    assert (tally.lost, tally.refused, failures) == ([], 0, {}), error_log(folder)
    assert count == expected
