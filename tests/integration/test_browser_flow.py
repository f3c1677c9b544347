"""A single-page app on another origin drives the API with fetch() in headless chromium.

The page (``fixtures/spa``) is served from an origin of its own, the service runs as a
real process with that origin in CORS_ORIGINS, and every header the service exposes
must be readable by the page's script, refusals included.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.browser import dump_dom, static_site
from fixtures.server import ServerProcess, run_server

SPA = Path(__file__).parent.parent / "fixtures" / "spa"
_RESULTS = re.compile(r'<pre id="results">(?P<json>.*?)</pre>', re.DOTALL)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def site() -> Iterator[str]:
    """The origin the page is served from."""
    with static_site(SPA) as origin:
        yield origin


@pytest.fixture
def api(site: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """The service, letting pages of ``site`` call it."""
    yield from run_server(tmp_path / "server", {"CORS_ORIGINS": site})


def _seen(step: dict[str, Any], base_url: str) -> dict[str, Any]:
    """What a step's call let the page read, with the addresses and ids of this run named
    by placeholders; of a problem, its type and the fields it names."""
    if "error" in step:
        return step
    headers = {
        name: _UUID.sub("{uuid}", value.replace(base_url, "{api}"))
        for name, value in step["headers"].items()
    }
    if not headers.get("x-request-id", "spa-").startswith("spa-"):
        headers["x-request-id"] = "{new}"
    if "retry-after" in headers:
        headers["retry-after"] = "seconds" if headers["retry-after"].isdigit() else "?"
    if "www-authenticate" in headers:  # its parameters are the accounts' to settle
        headers["www-authenticate"] = headers["www-authenticate"].split(" ", 1)[0]
    body = step["json"] or {}
    problem = {"type": body.get("type"), "fields": [e["field"] for e in body.get("errors", [])]}
    return {
        "status": step["status"],
        "headers": headers,
        **({"problem": problem} if "type" in body else {}),
    }


def _expected(status: int, **headers: str) -> dict[str, Any]:
    return {"status": status, "headers": {name.replace("_", "-"): v for name, v in headers.items()}}


def _problem(answer: dict[str, Any], kind: str, *fields: str) -> dict[str, Any]:
    urn = kind if kind == "about:blank" else f"urn:moviecore:problem:{kind}"
    return {**answer, "problem": {"type": urn, "fields": list(fields)}}


def test_a_page_on_another_origin_reads_every_exposed_header(
    site: str, api: ServerProcess, tmp_path: Path
) -> None:
    """Registering, a refused call, creating, reading, updating (also stale), reading
    unchanged, adding, moving and removing one movie, invalid and oversized bodies, a URL
    too long, a throttled login and a delete: the page reads ETag, Location, Retry-After,
    WWW-Authenticate and X-Request-ID wherever the service sends them."""
    dom = dump_dom(f"{site}/flow.html?api={api.base_url}", tmp_path / "profile")
    found = _RESULTS.search(dom)
    assert found is not None, dom
    steps = json.loads(html.unescape(found["json"]))
    seen = {step["name"]: _seen(step, api.base_url) for step in steps}
    collection = "{api}/collections/{uuid}/"
    assert seen == {
        "register": _expected(201, location="{api}/collections/", x_request_id="spa-register"),
        "no-token": _problem(
            _expected(401, www_authenticate="Bearer", x_request_id="spa-no-token"),
            "invalid-token",
        ),
        "create": _expected(201, etag='"1"', location=collection, x_request_id="spa-create"),
        "read": _expected(200, etag='"1"', x_request_id="spa-read"),
        "update": _expected(200, etag='"2"', x_request_id="spa-update"),
        "stale-update": _problem(
            _expected(412, etag='"2"', x_request_id="spa-stale-update"), "version-mismatch"
        ),
        "unchanged": _expected(304, etag='"2"', x_request_id="spa-unchanged"),
        "add-movie": _expected(200, etag='"3"', x_request_id="spa-add-movie"),
        "move-movie": _expected(200, etag='"4"', x_request_id="spa-move-movie"),
        "remove-movie": _expected(200, etag='"5"', x_request_id="spa-remove-movie"),
        "invalid": _problem(
            _expected(400, x_request_id="spa-invalid"),
            "validation-error",
            "titel",
            "title",
            "movies[0].uuid",
            "movies[0].title",
        ),
        "too-large": _problem(_expected(413, x_request_id="spa-too-large"), "about:blank"),
        # Answered below the app, its preflight too: the request's own id is not read.
        "url-too-long": _problem(_expected(414, x_request_id="{new}"), "about:blank"),
        "throttled": _problem(
            _expected(429, retry_after="seconds", x_request_id="spa-throttled"),
            "too-many-attempts",
        ),
        "delete": _expected(200, x_request_id="spa-delete"),
    }
