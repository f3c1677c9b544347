"""The OpenAPI document as a client generator reads it: a generated client works as is."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx

from fixtures.server import ServerProcess

_SCRIPTS = Path(sysconfig.get_path("scripts"))
_FLOW = Path(__file__).parent.parent / "fixtures" / "openapi_client_flow.py"
"""The flow, run next to the generated package (which the test suite cannot import)."""
_GENERATOR_CONFIG = "post_hooks: []\npackage_name_override: moviecore_client\n"


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def _generate_client(document: bytes, folder: Path) -> None:
    """Generate the package ``moviecore_client`` into ``folder`` from ``document``."""
    (folder / "openapi.json").write_bytes(document)
    (folder / "config.yml").write_text(_GENERATOR_CONFIG, encoding="utf-8")
    generated = _run(
        [
            str(_SCRIPTS / "openapi-python-client"),
            "generate",
            "--path=openapi.json",
            "--config=config.yml",
            "--meta=none",
            "--output-path=moviecore_client",
        ],
        folder,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr


def test_generated_client_runs_the_contract_flow(server: ServerProcess, tmp_path: Path) -> None:
    """A client generated from the served document type-checks strictly and runs the flow."""
    document = httpx.get(f"{server.base_url}/schema/openapi.json").content
    _generate_client(document, tmp_path)
    flow = tmp_path / "flow.py"
    flow.write_text(_FLOW.read_text(encoding="utf-8"), encoding="utf-8")
    checked = _run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir=.mypy_cache", "flow.py"], tmp_path
    )
    ran = _run([sys.executable, "flow.py", server.base_url], tmp_path)
    assert (checked.returncode, checked.stdout, ran.stderr, ran.stdout.splitlines()) == (
        0,
        "Success: no issues found in 1 source file\n",
        "",
        [
            "token: ('Bearer', 900)",
            "me: True",
            "movies on page 1: 10",
            """created: (201, '"1"')""",
            "listed: (1, None, None)",
            "read: ('Weekend', True)",
            "stale update: (412, 'urn:moviecore:problem:version-mismatch')",
            "updated: Sunday",
            "deleted: 404",
            "reset by a user who is no operator: (403, 'urn:moviecore:problem:not-allowed')",
            "count read: True",
            "signed out: (204, 401, 'revoked')",
            "health: ('ok', 'ok', 'ok')",
        ],
    )


def test_document_is_the_same_after_a_restart(server: ServerProcess) -> None:
    """The OpenAPI document is byte-identical from one start of the service to the next."""
    before = httpx.get(f"{server.base_url}/schema/openapi.json").content
    server.restart()
    after = httpx.get(f"{server.base_url}/schema/openapi.json").content
    assert after == before
