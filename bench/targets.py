"""The issue's performance targets, checked against one run's own numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .results import Result, Run
from .scenarios import (
    JSON_LOG,
    LIVE_CONNECTIONS,
    LOGIN_CONNECTIONS,
    METRICS_OFF,
    PREPARED,
    SEARCHERS,
)

FLOOR_SHARES = {
    "request-count": 0.50,
    "movies": 0.40,  # from the cache: checked where the catalog is the upstream's
    "collections-few": 0.25,
}
DB_FLOOR_SHARES = {
    "collections-few": 0.7,
    "collection": 0.7,
    "movies": 0.8,  # from the database: checked where the catalog is the local one
    "create": 0.3,
    "update": 0.3,
}
"""Shares of the one-query database floor, on PostgreSQL."""
COUNTING_COST = 0.05
JSON_LOG_COST = 0.05
METRICS_COST = 0.05
LOGIN_SHARE = 0.85
"""Logins per second over bcrypt.checkpw per second on every core: the physical limit."""
LISTING_GROWTH = 1.3
P99_GROWTH = 3.0
"""How much a probe's p99 may grow under a load beside it (logins, searches)."""
WORKER_RSS_MIB = 150.0
STRICT_CONNECTIONS = 256
"""At this many connections not a single request may fail."""
FLOOD_CONNECTIONS = 64
"""GET /request-count/'s connections beside the login flood, as in its calm run."""
SEARCH_SHARE = 0.5
"""Search's throughput over that of GET /movies/?page=1, in the same configuration."""
SEARCH_P99_MS = 50.0
SEARCH_CONNECTIONS = 64
PREPARE_COST = 0.10


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
        upstream = name in upstream_configurations
        checks.extend(_floor_shares(mine, upstream))
        checks.extend(_db_floor_shares(mine, upstream))
        checks.extend(_counting_cost(run, name))
        checks.extend(_listing_growth(run, name))
        checks.extend(_no_errors(mine))
        checks.extend(_login(run, name))
        checks.extend(
            _p99_growth(
                run,
                name,
                ("request-count", "request-count-flooded", FLOOD_CONNECTIONS),
                "GET /request-count/ p99 under a login flood",
            )
        )
        checks.extend(
            _p99_growth(
                run,
                name,
                ("live", "live-searching", LIVE_CONNECTIONS),
                f"GET /health/live/ p99 during {SEARCHERS} clients' new searches",
            )
        )
        checks.extend(_memory(run, name))
        checks.extend(_search(run, name))
        checks.extend(_prepare_cost(run, name))
        checks.extend(_settings_costs(run, name))
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


def _db_floor_shares(rows: list[Result], upstream: bool) -> Iterator[Check]:
    for row in rows:
        share = DB_FLOOR_SHARES.get(row.key)
        if share is None or row.db_floor_ratio is None or (row.key == "movies" and upstream):
            continue
        yield Check(
            f"{row.label} >= {share:.0%} of the one-query DB floor @{row.connections}",
            row.configuration,
            f"{row.db_floor_ratio:.0%}",
            row.db_floor_ratio >= share,
        )


def _cost(target: str, name: str, paying: Result, free: Result, limit: float) -> Check:
    """What ``paying`` does that ``free`` does not, as the throughput it loses."""
    cost = 1 - paying.rps / free.rps
    return Check(
        f"{target} <= {limit:.0%} @{paying.connections}",
        name,
        f"{cost:+.1%} ({paying.rps:,.0f} vs {free.rps:,.0f} req/s;"
        f" p50 {paying.p50_ms:.1f} vs {free.p50_ms:.1f} ms)",
        cost <= limit,
    )


def _counting_cost(run: Run, name: str) -> Iterator[Check]:
    for on in (r for r in run.results if r.configuration == name and r.key == "request-count"):
        off = run.find(name, "request-count-uncounted", on.connections)
        if off is not None and off.rps:
            yield _cost("counting costs", name, on, off, COUNTING_COST)


_JSON_LOG_TARGET = "LOG_FORMAT=json ACCESS_LOG=true costs GET /request-count/"
_METRICS_TARGET = "metrics (METRICS=true vs false) cost GET /request-count/"


def _settings_costs(run: Run, name: str) -> Iterator[Check]:
    """What the JSON access log and the metrics cost ``GET /request-count/``, each
    against a twin: in instructions where they were counted, else in throughput."""
    if name in run.instructions:
        yield from _instruction_costs(run, name)
        return
    for default in (r for r in run.results if r.configuration == name and r.key == "request-count"):
        logged = run.find(name + JSON_LOG.suffix, default.key, default.connections)
        if logged is not None and default.rps:
            yield _cost(_JSON_LOG_TARGET, name, logged, default, JSON_LOG_COST)
        unmetered = run.find(name + METRICS_OFF.suffix, default.key, default.connections)
        if unmetered is not None and unmetered.rps:
            yield _cost(_METRICS_TARGET, name, default, unmetered, METRICS_COST)


def _instruction_costs(run: Run, name: str) -> Iterator[Check]:
    default = run.instructions[name]
    pairs = (
        (_JSON_LOG_TARGET, run.instructions.get(name + JSON_LOG.suffix), default, JSON_LOG_COST),
        (_METRICS_TARGET, default, run.instructions.get(name + METRICS_OFF.suffix), METRICS_COST),
    )
    for target, paying, free, limit in pairs:
        if paying is None or free is None:
            continue
        cost = paying / free - 1
        yield Check(
            f"{target} <= {limit:.0%}, in instructions",
            name,
            f"{cost:+.1%} ({paying:,.0f} vs {free:,.0f} instructions a request)",
            cost <= limit,
        )


def _login(run: Run, name: str) -> Iterator[Check]:
    login = run.find(name, "login", LOGIN_CONNECTIONS)
    limit = next((r for r in run.results if r.configuration == name and r.key == "checkpw"), None)
    if login is None or limit is None or not limit.rps:
        return
    share = login.rps / limit.rps
    yield Check(
        f"POST /login/ >= {LOGIN_SHARE:.0%} of bcrypt.checkpw on {limit.connections} threads"
        f" @{LOGIN_CONNECTIONS}",
        name,
        f"{share:.0%} ({login.rps:.1f} logins/s vs {limit.rps:.1f} checkpw/s)",
        share >= LOGIN_SHARE,
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


def _p99_growth(
    run: Run, name: str, measured: tuple[str, str, int], target: str
) -> Iterator[Check]:
    """The p99 of a scenario under load over its p99 calm: ``measured`` names the calm
    scenario, the loaded one and the connections of both."""
    calm_key, loaded_key, connections = measured
    calm = run.find(name, calm_key, connections)
    loaded = run.find(name, loaded_key, connections)
    if calm is None or loaded is None or not calm.p99_ms:
        return
    target = f"{target} <= {P99_GROWTH}x"
    if not loaded.requests:
        yield Check(target, name, f"none answered within {run.settings['duration']} s", False)
        return
    growth = loaded.p99_ms / calm.p99_ms
    yield Check(
        target,
        name,
        f"{growth:.1f}x ({loaded.p99_ms:.1f} vs {calm.p99_ms:.1f} ms)",
        growth <= P99_GROWTH,
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
        prepared = run.find(name + PREPARED.suffix, safe.key, safe.connections)
        if prepared is not None and prepared.rps:
            target = f"{safe.label} without prepared statements costs"
            yield _cost(target, name, safe, prepared, PREPARE_COST)
