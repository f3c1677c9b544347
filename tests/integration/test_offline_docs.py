"""The interactive API docs render in a real browser that cannot reach the internet.

Headless chromium sends every request off this machine to a proxy that is not
there, so a page that needs a CDN stays blank; its network log shows what the
page asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.browser import dump_dom
from fixtures.nginx import nginx
from fixtures.server import ServerProcess, free_port, run_server

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
_OPBLOCK = re.compile(
    r'<div class="opblock opblock-(?P<method>\w+)[^"]*" id="(?P<id>[^"]+)">.*?'
    r'class="opblock-summary-path" data-path="(?P<path>[^"]+)"',
    re.DOTALL,
)


def render_offline(url: str, folder: Path) -> tuple[str, list[str]]:
    """The DOM of ``url`` once chromium has run its scripts, and every URL the page requested."""
    net_log = folder / "net-log.json"
    dom = dump_dom(
        url,
        folder / "profile",
        # Loopback goes direct; any other address goes to a proxy nobody runs, and fails.
        "--proxy-server=127.0.0.1:9",
        f"--log-net-log={net_log}",
    )
    return dom, page_requests(net_log, site="http://127.0.0.1")


def page_requests(net_log: Path, site: str) -> list[str]:
    """The URLs requested on behalf of pages of ``site``; the browser's own traffic (its
    update checks) is keyed to no site and left out."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    starts = [event.get("params", {}) for event in log["events"] if event["type"] == start]
    return [
        params["url"]
        for params in starts
        if params.get("network_isolation_key", "").split(" ")[0] == site
    ]


def documented_operations(
    document: dict[str, dict[str, dict[str, dict[str, str]]]],
) -> list[tuple[str, str, str]]:
    """Method, path and operation id of every operation the OpenAPI document lists."""
    return sorted(
        (method.upper(), path, operation["operationId"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    )


def rendered_operations(dom: str) -> list[tuple[str, str, str]]:
    """Method, path and operation id of every operation block Swagger UI drew.

    A block's id is ``operations-<tag>-<operationId>``; operation ids are Python
    function names, which hold no ``-``.
    """
    return sorted(
        (found["method"].upper(), found["path"], found["id"].rsplit("-", 1)[1])
        for found in _OPBLOCK.finditer(dom)
    )


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for both pages: rendering its docs reads it and changes nothing."""
    yield from run_server(tmp_path_factory.mktemp("docs-server"))


@pytest.mark.parametrize("page", ["/schema/", "/schema/swagger"])
def test_docs_render_every_operation_offline(
    docs_server: ServerProcess, tmp_path: Path, page: str
) -> None:
    """Swagger UI shows every operation of the contract with no internet, and the page asks
    for nothing but the service's own files."""
    document = httpx.get(f"{docs_server.base_url}/schema/openapi.json").json()
    dom, requested = render_offline(f"{docs_server.base_url}{page}", tmp_path)
    elsewhere = [url for url in requested if not url.startswith(f"{docs_server.base_url}/")]
    assert (rendered_operations(dom), elsewhere, f"{docs_server.base_url}{page}" in requested) == (
        documented_operations(document),
        [],
        True,
    )


def test_docs_and_links_work_under_a_path_prefix_behind_nginx(tmp_path: Path) -> None:
    """Proxied at /api/ by the reference nginx with PUBLIC_URL ending in /api: Swagger UI at
    /api/schema/ shows every operation from files under /api/ alone, the document's
    server is /api, and the links of GET / and of a registration lead to answers there."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}/api"
    for server in run_server(tmp_path / "server", {"PUBLIC_URL": public_url}):
        with nginx(tmp_path / "nginx", [server.port], port=port, prefix="/api") as proxy:
            dom, requested = render_offline(f"{public_url}/schema/", tmp_path)
            with httpx.Client(base_url=proxy, timeout=10) as http:
                document = http.get("/api/schema/openapi.json").json()
                root = http.get("/api/").json()
                links = [http.get(root[name]).status_code for name in ("docs", "openapi")]
                registered = http.post(
                    "/api/register/", json={"username": "prefixed", "password": "a long password"}
                )
                token = registered.json()["access_token"]
                listed = http.get(
                    registered.headers["location"], headers={"Authorization": f"Bearer {token}"}
                )
    elsewhere = [url for url in requested if not url.startswith(f"{public_url}/")]
    assert (rendered_operations(dom), elsewhere, document["servers"]) == (
        documented_operations(document),
        [],
        [{"url": "/api"}],
    )
    assert (links, registered.headers["location"], listed.status_code) == (
        [200, 200],
        f"{public_url}/collections/",
        200,
    )
