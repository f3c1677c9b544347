"""What a new user reads in the README matches what the service and the Makefile do."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx

from adapters.settings import SETTINGS, TABLE_HEADER, settings_table
from fixtures.services import POSTGRES_DEFAULT_URL, REDIS_DEFAULT_URL
from moviecore import Limits

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {
    path: path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *ROOT.glob("docs/*.md")]
}
LINK = re.compile(r"\]\(([^)#\s]+)?(?:#([^)\s]+))?\)")


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives a document's headings."""
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_configuration_table_is_the_declared_one() -> None:
    """docs/configuration.md's table has one row per declared setting, the limits
    included, each with its declared default and meaning, and no other row (`make
    settings-table` rewrites it)."""
    configuration = DOCS[ROOT / "docs" / "configuration.md"]
    start = configuration.index(TABLE_HEADER)
    table = configuration[start : configuration.index("\n\n", start) + 1]
    assert table.splitlines() == settings_table().splitlines()


def test_every_limit_is_a_declared_setting() -> None:
    """Each of the core's limits is a setting named after it in capitals, with its default."""
    declared = {setting.name: setting.default for setting in SETTINGS}
    limits = {field.name.upper(): field.default for field in dataclasses.fields(Limits)}
    assert {name: declared.get(name) for name in limits} == limits


def test_the_readme_error_example_is_what_the_service_answers(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """The README's problem details example is the answer to the body it shows, type and
    all."""
    block = README[README.index("Errors are RFC 9457") :]
    sent = block[block.index("`", block.index("here for")) + 1 : block.index("`:")]
    example = block[block.index("```json") + len("```json") : block.index("```\n", 10)]
    expected = json.loads(example)
    headers = {**auth, "X-Request-ID": expected["request_id"]}
    response = client.post("/collections/", headers=headers, json=json.loads(sent))
    assert (response.status_code, response.json()) == (400, expected)


def test_the_readme_names_the_test_services_and_their_defaults() -> None:
    """`make test`'s PostgreSQL and Redis settings are documented with the defaults used."""
    documented = [
        "`TEST_POSTGRES_URL`",
        f"`{POSTGRES_DEFAULT_URL}`",
        "`TEST_REDIS_URL`",
        f"`{REDIS_DEFAULT_URL}`",
    ]
    development = DOCS[ROOT / "docs" / "development.md"]
    assert [text for text in documented if text not in development] == []


def test_every_link_between_the_documents_leads_somewhere() -> None:
    """Each relative link of the README and of docs/ names a file of the clone and, with
    an anchor, a heading of that file."""
    broken = []
    for path, text in DOCS.items():
        for target, anchor in LINK.findall(text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            linked = (path.parent / target).resolve() if target else path
            if not linked.exists():
                broken.append(f"{path.name}: {target}")
            elif (
                anchor
                and linked.suffix == ".md"
                and anchor not in _anchors(linked.read_text(encoding="utf-8"))
            ):
                broken.append(f"{path.name}: {target}#{anchor}")
    assert broken == []


def test_the_first_make_run_says_what_it_installs(tmp_path: Path) -> None:
    """Without an environment to serve from, make announces that it installs the serving
    lock before it starts."""
    for name in ("Makefile", "pyproject.toml", "service/pyproject.toml", "requirements/run.txt"):
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
        'echo "make: installing the locked dependencies (requirements/run.txt) into .venv-run'
        ' (about a minute, once)"'
    )
