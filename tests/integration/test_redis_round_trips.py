"""Counting requests costs the request path no Redis round trip: workers send counts in batches."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import redis

from fixtures.dependencies import RedisServer
from fixtures.server import ServerProcess, operator_auth

REQUESTS = 400


def _commands(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        return int(client.info("stats")["total_commands_processed"])


def _list_collections(base_url: str, auth: dict[str, str], count: int) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        return [http.get("/collections/", headers=auth).status_code for _ in range(count)]


def test_requests_reach_redis_in_batches_and_are_all_counted(
    server_on_redis: ServerProcess, dedicated_redis: RedisServer
) -> None:
    """400 requests make far fewer Redis commands than requests, and the count is exact."""
    with httpx.Client(base_url=server_on_redis.base_url, timeout=10) as http:
        auth = operator_auth(http)
        http.post("/request-count/reset/", headers=auth)
        before = _commands(dedicated_redis.url)
        with ThreadPoolExecutor(8) as pool:
            batches = pool.map(
                _list_collections, [server_on_redis.base_url] * 8, [auth] * 8, [REQUESTS // 8] * 8
            )
            statuses = [status for batch in batches for status in batch]
        commands = _commands(dedicated_redis.url) - before - 1  # less our own INFO
        count = http.get("/request-count/", headers=auth).json()["requests"]
    print(f"{REQUESTS} requests, {commands} Redis commands")
    # One command per request would be 400; batches every 50 ms make a few dozen.
    assert (statuses, count, commands < REQUESTS // 4) == ([200] * REQUESTS, REQUESTS + 1, True)
