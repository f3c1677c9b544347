"""The issue's performance targets, checked against one run's own numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .results import Result, Run

FLOOR_SHARES = {
    "request-count": 0.50,
    "movies": 0.40,  # from the cache: checked where the catalog is the upstream's
    "collections-few": 0.25,
}
COUNTING_COST = 0.05
LISTING_GROWTH = 1.3
FLOOD_P99_GROWTH = 3.0
WORKER_RSS_MIB = 150.0
STRICT_CONNECTIONS = 256
"""At this many connections not a single request may fail."""
FLOOD_CONNECTIONS = 64
SEARCH_SHARE = 0.5
"""Search's throughput over that of GET /movies/?page=1, in the same configuration."""
SEARCH_P99_MS = 50.0
SEARCH_CONNECTIONS = 64
PREPARE_COST = 0.10
PREPARED = "-prepared"
"""The suffix of a configuration that prepares statements, beside the one that does not."""


@dataclass(frozen=True, slots=True)
class Check:
    """One target in one configuration: what was measured and whether it is met."""

    target: str
    configuration: str
    figure: str
    met: bool


def check(run: Run, upstream_configurations: set[str]) -> list[Check]:
    """Every target that ``run`` measured, per configuration."""
    rows = run.with_floor_ratios()
    configurations = list(dict.fromkeys(row.configuration for row in rows))
    checks: list[Check] = []
    for name in configurations:
        mine = [row for row in rows if row.configuration == name]
        checks.extend(_floor_shares(mine, name in upstream_configurations))
        checks.extend(_counting_cost(run, name))
        checks.extend(_listing_growth(run, name))
        checks.extend(_no_errors(mine))
        checks.extend(_flood(run, name))
        checks.extend(_memory(run, name))
        checks.extend(_search(run, name))
        checks.extend(_prepare_cost(run, name))
    return checks


def _floor_shares(rows: list[Result], upstream: bool) -> Iterator[Check]:
    for row in rows:
        share = FLOOR_SHARES.get(row.key)
        if share is None or row.floor_ratio is None or (row.key == "movies" and not upstream):
            continue
        yield Check(
            f"{row.label} >= {share:.0%} of floor @{row.connections}",
            row.configuration,
            f"{row.floor_ratio:.0%}",
            row.floor_ratio >= share,
        )


def _counting_cost(run: Run, name: str) -> Iterator[Check]:
    for on in (r for r in run.results if r.configuration == name and r.key == "request-count"):
        off = run.find(name, "request-count-uncounted", on.connections)
        if off is None or not off.rps:
            continue
        cost = 1 - on.rps / off.rps
        yield Check(
            f"counting costs <= {COUNTING_COST:.0%} @{on.connections}",
            name,
            f"{cost:+.1%} ({on.rps:,.0f} vs {off.rps:,.0f} req/s)",
            cost <= COUNTING_COST,
        )


def _listing_growth(run: Run, name: str) -> Iterator[Check]:
    for few in (r for r in run.results if r.configuration == name and r.key == "collections-few"):
        most = run.find(name, "collections-most", few.connections)
        if most is None or not few.p50_ms:
            continue
        growth = most.p50_ms / few.p50_ms
        yield Check(
            f"GET /collections/ p50, 10 000 vs 10 collections <= {LISTING_GROWTH}x"
            f" @{few.connections}",
            name,
            f"{growth:.2f}x ({most.p50_ms:.1f} vs {few.p50_ms:.1f} ms)",
            growth <= LISTING_GROWTH,
        )


def _no_errors(rows: list[Result]) -> Iterator[Check]:
    strict = [row for row in rows if row.connections == STRICT_CONNECTIONS]
    if not strict:
        return
    failing = [row for row in strict if row.http_errors or row.socket_errors]
    figure = ", ".join(
        f"{row.label}: {row.http_errors} http, {row.socket_errors} socket" for row in failing
    )
    yield Check(
        f"no failed request @{STRICT_CONNECTIONS}",
        strict[0].configuration,
        figure or f"0 in {len(strict)} scenarios",
        not failing,
    )


def _flood(run: Run, name: str) -> Iterator[Check]:
    calm = run.find(name, "request-count", FLOOD_CONNECTIONS)
    flooded = run.find(name, "request-count-flooded", FLOOD_CONNECTIONS)
    if calm is None or flooded is None or not calm.p99_ms:
        return
    if not flooded.requests:
        figure = f"none answered within {run.settings['duration']} s"
        yield Check(
            f"GET /request-count/ p99 under a login flood <= {FLOOD_P99_GROWTH}x",
            name,
            figure,
            False,
        )
        return
    growth = flooded.p99_ms / calm.p99_ms
    yield Check(
        f"GET /request-count/ p99 under a login flood <= {FLOOD_P99_GROWTH}x",
        name,
        f"{growth:.1f}x ({flooded.p99_ms:.1f} vs {calm.p99_ms:.1f} ms)",
        growth <= FLOOD_P99_GROWTH,
    )


def _memory(run: Run, name: str) -> Iterator[Check]:
    sizes = run.worker_rss_mib.get(name)
    if sizes:
        yield Check(
            f"resident memory per worker < {WORKER_RSS_MIB:.0f} MiB",
            name,
            ", ".join(f"{size:.0f} MiB" for size in sizes),
            max(sizes) < WORKER_RSS_MIB,
        )


def _search(run: Run, name: str) -> Iterator[Check]:
    listing = run.find(name, "movies-page-1", SEARCH_CONNECTIONS)
    for key in ("search", "search-cold"):
        search = run.find(name, key, SEARCH_CONNECTIONS)
        if search is None:
            continue
        if listing is not None and listing.rps:
            share = search.rps / listing.rps
            yield Check(
                f"{search.label} >= {SEARCH_SHARE:.0%} of GET /movies/?page=1"
                f" @{SEARCH_CONNECTIONS}",
                name,
                f"{share:.0%} ({search.rps:,.0f} vs {listing.rps:,.0f} req/s)",
                share >= SEARCH_SHARE,
            )
        yield Check(
            f"{search.label} p99 < {SEARCH_P99_MS:.0f} ms @{SEARCH_CONNECTIONS}",
            name,
            f"{search.p99_ms:.1f} ms",
            bool(search.requests) and search.p99_ms < SEARCH_P99_MS,
        )


def _prepare_cost(run: Run, name: str) -> Iterator[Check]:
    """What not preparing statements on the server (pooler-safe) costs, scenario by scenario."""
    for safe in (r for r in run.results if r.configuration == name):
        prepared = run.find(name + PREPARED, safe.key, safe.connections)
        if prepared is None or not prepared.rps:
            continue
        cost = 1 - safe.rps / prepared.rps
        yield Check(
            f"{safe.label} without prepared statements costs <= {PREPARE_COST:.0%}"
            f" @{safe.connections}",
            name,
            f"{cost:+.1%} ({safe.rps:,.0f} vs {prepared.rps:,.0f} req/s;"
            f" p50 {safe.p50_ms:.1f} vs {prepared.p50_ms:.1f} ms)",
            cost <= PREPARE_COST,
        )
