"""What a new user reads in the README matches what the service and the Makefile do."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx

from fixtures.services import POSTGRES_DEFAULT_URL, REDIS_DEFAULT_URL
from moviecore import Limits

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _settings_read() -> set[str]:
    """Every setting name the settings module reads, the limits' names included."""
    source = (ROOT / "src" / "adapters" / "settings.py").read_text(encoding="utf-8")
    named = set(re.findall(r'source\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))
    return named | {field.name.upper() for field in dataclasses.fields(Limits)}


def test_every_setting_is_in_the_readme() -> None:
    """Each setting the service reads is named in the README's settings table."""
    table = README[README.index("| name | default | meaning |") : README.index("### PostgreSQL")]
    assert sorted(name for name in _settings_read() if f"`{name}`" not in table) == []


def test_the_readme_error_example_is_what_the_service_answers(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """The README's problem details example is the answer to a collection with an empty
    title, type and all."""
    block = README[README.index("Errors are RFC 9457") :]
    example = block[block.index("```json") + len("```json") : block.index("```\n", 10)]
    expected = json.loads(example)
    headers = {**auth, "X-Request-ID": expected["request_id"]}
    response = client.post("/collections/", headers=headers, json={"title": ""})
    assert (response.status_code, response.json()) == (400, expected)


def test_the_readme_names_the_test_services_and_their_defaults() -> None:
    """`make test`'s PostgreSQL and Redis settings are documented with the defaults used."""
    documented = [
        "`TEST_POSTGRES_URL`",
        f"`{POSTGRES_DEFAULT_URL}`",
        "`TEST_REDIS_URL`",
        f"`{REDIS_DEFAULT_URL}`",
    ]
    assert [text for text in documented if text not in README] == []


def test_the_first_make_run_says_what_it_installs(tmp_path: Path) -> None:
    """Without a .venv, make announces the installation before it starts it."""
    for name in ("Makefile", "pyproject.toml", "service/pyproject.toml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    planned = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.splitlines()
    assert planned[0] == (
        'echo "make: installing moviecore and its dependencies into .venv (about 30 s, once)"'
    )
