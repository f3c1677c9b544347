"""GET /metrics: what an operator's Prometheus reads from a running ``moviecore serve``, on
METRICS_PORT, apart from the API."""

from __future__ import annotations

import os
import signal
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from fixtures.server import (
    SETUPS,
    STARTUP_COMPLETE,
    ServerProcess,
    distributed_environment,
    register_user,
    run_server,
    run_setup,
)
from fixtures.services import fresh_redis_prefix, migrated_database
from fixtures.upstream import FakeUpstreams, UpstreamOptions, fetch, serving, upstream_settings

COLLECTION = "/collections/{collection_uuid}"
REQUESTS = "moviecore_http_requests_total"
Labels = frozenset[tuple[str, str]]


def scrape(server: ServerProcess) -> dict[str, dict[Labels, float]]:
    """Every sample of ``GET /metrics``, by sample name, then by labels."""
    response = httpx.get(f"http://127.0.0.1:{server.metrics_port}/metrics")
    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "text/plain; version=0.0.4; charset=utf-8",
    )
    samples: dict[str, dict[Labels, float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[frozenset(sample.labels.items())] = sample.value
    return samples


def value(samples: dict[str, dict[Labels, float]], name: str, **labels: str) -> float | None:
    """The value of the sample ``name`` with exactly ``labels``, if there is one."""
    return samples.get(name, {}).get(frozenset(labels.items()))


def by_label(samples: dict[str, dict[Labels, float]], name: str, label: str) -> dict[str, float]:
    """The samples of ``name`` by the value of their one label ``label``."""
    return {dict(labels)[label]: found for labels, found in samples.get(name, {}).items()}


@pytest.mark.parametrize("setup", SETUPS)
def test_requests_are_counted_across_workers_by_route_template(setup: str, tmp_path: Path) -> None:
    """Requests on new connections, so on either worker, add up exactly in any one scrape;
    two collections share their route's label, an unknown path is not named, and a
    restart starts every count again. Pool gauges are PostgreSQL's alone."""
    with contextmanager(run_setup)(setup, tmp_path / "server") as server:
        with httpx.Client(base_url=server.base_url) as http:
            auth = register_user(http)
            made = [http.post("/collections/", json={"title": t}, headers=auth) for t in "ab"]
        links = [f"{server.base_url}/collections/{r.json()['collection_uuid']}/" for r in made]
        reads = [httpx.get(link, headers=auth).status_code for link in links * 5]
        missing = httpx.get(f"{server.base_url}/no/such/{uuid.uuid4()}/").status_code
        samples = scrape(server)
        server.restart()
        httpx.get(links[0], headers=auth)
        after_restart = scrape(server)

    collection_reads = {"method": "GET", "route": COLLECTION}
    assert (reads, missing) == ([200] * 10, 404)
    assert (
        value(samples, REQUESTS, **collection_reads, status="200"),
        value(samples, "moviecore_http_request_duration_seconds_count", **collection_reads),
        value(samples, REQUESTS, method="GET", route="unmatched", status="404"),
        [labels for labels in samples[REQUESTS] if "no/such" in str(labels)],
    ) == (10.0, 10.0, 1.0, [])
    pool = {} if setup == "embedded" else {"in_use": 0.0, "waiting": 0.0}
    assert by_label(samples, "moviecore_db_pool_connections", "state") == pool
    assert (
        value(after_restart, REQUESTS, **collection_reads, status="200"),
        value(after_restart, REQUESTS, method="GET", route="/health", status="200"),
    ) == (1.0, 1.0)


def test_metrics_are_not_on_the_api(tmp_path: Path) -> None:
    """The API's port serves no metrics, however the path is spelled; with METRICS=false,
    nothing listens on METRICS_PORT either."""
    with contextmanager(run_server)(tmp_path / "server") as server:
        spellings = ["/metrics", "/metrics/", "/metrics%2F", "//metrics", "/Metrics"]
        on_api = [httpx.get(f"{server.base_url}{path}").status_code for path in spellings]
    with (
        contextmanager(run_server)(tmp_path / "off", {"METRICS": "false"}) as server,
        pytest.raises(httpx.ConnectError),
    ):
        httpx.get(f"http://127.0.0.1:{server.metrics_port}/metrics")

    assert on_api == [404] * len(spellings)


@pytest.mark.anyio
async def test_upstream_calls_retries_breaker_and_cache_are_measured(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """Over one connection (one worker): page 2 read twice, page 3 unreadable (3 tries),
    page 4 throttled (the breaker opens); the start's health check read page 1."""
    upstream = await fake_upstream(UpstreamOptions(quirks=("3=html", "4=throttle")))
    with migrated_database() as url, fresh_redis_prefix() as prefix:
        settings = upstream_settings(upstream, **distributed_environment(url, prefix))
        with serving(tmp_path / "server", settings) as service:
            pages = ["/movies/?page=2", "/movies/?page=2", "/movies/?page=3", "/movies/?page=4"]
            responses = await fetch(service, pages)
            samples = scrape(service.server)

    assert [r.status_code for r in responses] == [200, 200, 503, 503]
    assert by_label(samples, "moviecore_upstream_requests_total", "outcome") == {
        "ok": 2.0,
        "unreadable": 3.0,
        "throttled": 1.0,
    }
    assert (
        value(samples, "moviecore_upstream_retries_total"),
        value(samples, "moviecore_upstream_breaker_open"),
    ) == (2.0, 1.0)
    assert samples["moviecore_catalog_cache_total"] == {
        frozenset({("cache", "memory"), ("result", "miss")}): 4.0,
        frozenset({("cache", "memory"), ("result", "hit")}): 1.0,
        frozenset({("cache", "redis"), ("result", "miss")}): 4.0,
    }


@pytest.mark.anyio
async def test_dead_workers_keep_their_counts_and_lose_their_gauges(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """Both workers killed, as a crash would, and replaced by the server: the requests they
    answered are still counted, and the breaker their upstream's 429 opened is not shown."""
    upstream = await fake_upstream(UpstreamOptions(quirks=("*=throttle",)))
    with migrated_database() as url, fresh_redis_prefix() as prefix:
        settings = upstream_settings(upstream, **distributed_environment(url, prefix))
        with serving(tmp_path / "server", settings) as service:
            server = service.server
            before = scrape(server)
            for pid in server.worker_pids():
                os.kill(pid, signal.SIGKILL)
            server.wait_for_log_count(STARTUP_COMPLETE, 4)
            after = scrape(server)

    registered = {"method": "POST", "route": "/register", "status": "201"}
    breaker = "moviecore_upstream_breaker_open"
    assert (value(before, breaker), value(before, REQUESTS, **registered)) == (1.0, 1.0)
    assert (value(after, breaker), value(after, REQUESTS, **registered)) == (0.0, 1.0)
