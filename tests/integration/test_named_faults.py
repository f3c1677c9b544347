"""Each way a connection to PostgreSQL or Redis fails is named: in the error, and in one log line.

The faults are real: a PgBouncer that asks for a password and offers TLS with a
certificate, a TLS-only Redis of the test's own, and ports nothing listens on.
"""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from adapters import redis
from adapters.faults import Rejected
from adapters.postgres import migrate, open_store
from fixtures.dependencies import PostgresCluster, RedisServer
from fixtures.pooler import PgBouncer
from fixtures.server import free_port
from fixtures.tls import Certificate, refused, verify_full
from moviecore import StorageUnavailable

ROUNDS = 8
"""Rounds of two reads at once: psycopg prepares a statement at its sixth run."""


def _lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    """The fault named by each line ``logger`` wrote, up to the driver's own words."""
    return [
        record.getMessage().partition(":")[0] for record in caplog.records if record.name == logger
    ]


@pytest.mark.anyio
async def test_unreachable_database_is_named_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    """With nothing listening, a read fails as unreachable and the log says so."""
    async with open_store(f"postgresql://postgres@127.0.0.1:{free_port()}/x", wait=0.6) as store:
        with pytest.raises(StorageUnavailable) as raised:
            await store.users.by_id(uuid4())
    assert (str(raised.value), _lines(caplog, "moviecore.postgres")) == (
        "the database cannot be reached",
        ["PostgreSQL server unreachable"],
    )


@pytest.mark.anyio
async def test_database_down_behind_the_pooler_is_unreachable(
    pgbouncer_of_dedicated: PgBouncer,
    dedicated_postgres: PostgresCluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PostgreSQL stopped behind PgBouncer (which still answers) fails reads as unreachable,
    and the log says so, not that the protocol broke."""
    url = pgbouncer_of_dedicated.url(dedicated_postgres.create_database())
    await migrate(url)
    async with open_store(url, wait=10) as store:
        before = await store.users.by_id(uuid4())
        dedicated_postgres.stop()
        with pytest.raises(StorageUnavailable) as raised:
            await store.users.by_id(uuid4())
        dedicated_postgres.start()
    assert (before, str(raised.value), _lines(caplog, "moviecore.postgres")) == (
        None,
        "the database cannot be reached",
        ["PostgreSQL server unreachable"],
    )


@pytest.mark.parametrize(
    ("refusal", "sentence", "fault"),
    [
        ("password", "the database refused the credentials", "authentication refused"),
        (
            "certificate",
            "the database did not present a certificate that could be verified",
            "certificate not verified",
        ),
    ],
)
@pytest.mark.anyio
async def test_refused_password_or_certificate_is_named_and_logged(
    pgbouncer: PgBouncer,
    postgres_url: str,
    certificates: tuple[Certificate, Certificate],
    caplog: pytest.LogCaptureFixture,
    refusal: str,
    sentence: str,
    fault: str,
) -> None:
    """A wrong password, or a server certificate the URL does not trust, stops a migration as
    Rejected and fails reads, each naming the fault, which the log names once."""
    url = refused(pgbouncer.url(postgres_url), refusal, certificates)
    with pytest.raises(Rejected) as at_start:
        await migrate(url)
    async with open_store(url, wait=0.6) as store:
        with pytest.raises(StorageUnavailable) as serving:
            await store.users.by_id(uuid4())
    assert (
        str(at_start.value).partition(":")[0],
        str(serving.value),
        _lines(caplog, "moviecore.postgres"),
    ) == (f"{sentence} ({fault})", sentence, [f"PostgreSQL {fault}"])


@pytest.mark.anyio
async def test_verified_certificate_serves(
    pgbouncer: PgBouncer, postgres_url: str, certificates: tuple[Certificate, Certificate]
) -> None:
    """Through TLS with the server's certificate verified, migrating and reading work."""
    url = verify_full(pgbouncer.url(postgres_url), certificates[0])
    await migrate(url)
    async with open_store(url) as store:
        assert await store.users.by_id(uuid4()) is None


async def _reads_in_rounds(url: str, *, prepare: bool) -> list[str]:
    """ROUNDS rounds of two reads at once on a pool of two; what each failed read raised."""
    failures: list[str] = []
    async with open_store(url, min_size=2, max_size=2, prepare=prepare) as store:
        for _ in range(ROUNDS):
            reads = (store.users.by_id(uuid4()) for _ in range(2))
            outcomes = await asyncio.gather(*reads, return_exceptions=True)
            failures += [str(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    return failures


@pytest.mark.anyio
async def test_prepared_statements_behind_a_transaction_pooler_are_protocol_errors(
    one_connection_pgbouncer: PgBouncer, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Two connections that prepare statements on the pooler's one server connection collide:
    each collision is a protocol error, named in its own log line; without preparing, none."""
    url = one_connection_pgbouncer.url(postgres_url)
    await migrate(url)
    prepared = await _reads_in_rounds(url, prepare=True)
    logged = set(_lines(caplog, "moviecore.postgres"))
    unprepared = await _reads_in_rounds(url, prepare=False)
    assert (set(prepared), logged, unprepared) == (
        {"the database answered with a protocol error"},
        {"PostgreSQL protocol error"},
        [],
    )


@pytest.mark.anyio
async def test_redis_faults_at_start_are_named(
    tls_redis: RedisServer,
    certificates: tuple[Certificate, Certificate],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong password or an untrusted certificate is Rejected, naming the fault; an
    unreachable Redis is only logged; a verified one answers."""
    refusals = []
    for refusal in ("password", "certificate"):
        with pytest.raises(Rejected) as raised:
            await redis.check(refused(tls_redis.url, refusal, certificates))
        refusals.append(str(raised.value).partition(":")[0])
    await redis.check(f"redis://127.0.0.1:{free_port()}/0")
    await redis.check(tls_redis.url)
    assert (refusals, _lines(caplog, "moviecore.redis")) == (
        [
            "Redis refused the credentials (authentication refused)",
            "Redis did not present a certificate that could be verified (certificate not verified)",
        ],
        ["Redis server unreachable"],
    )
