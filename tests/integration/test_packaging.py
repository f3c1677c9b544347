"""The two built wheels install as a user installs them, each into a fresh virtual environment.

The core's wheel holds the ``moviecore`` package alone and pulls in nothing; with
its ``testing`` extra the downstream examples pass, an outside team's SQLite
adapters pass the kit (and a leaking one fails it), and a failing contract shows
its values; with its ``security`` extra a core-only service signs users in; the
service's wheel serves requests and runs the library demo.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest

import moviecore
from fixtures.kit import first_error
from fixtures.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
VERSION = moviecore.__version__
# What a program run in an environment prints about it: every distribution, the
# requirements of moviecore, and what lies at the top of site-packages.
DESCRIBE = """
import importlib.metadata as metadata, os, sysconfig
print(sorted(d.metadata["Name"] for d in metadata.distributions()))
print(sorted(metadata.requires("moviecore") or []))
print(sorted(os.listdir(sysconfig.get_path("purelib"))))
"""


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheels of the core and of the service, built from this source tree."""
    out = tmp_path_factory.mktemp("wheels")
    pip = (sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out)
    _run(*pip, ROOT, ROOT / "service", cwd=out)
    (core,) = out.glob("moviecore-*.whl")
    (service,) = out.glob("moviecore_service-*.whl")
    return {"core": core, "service": service}


def _environment(home: Path, *requirements: str | Path) -> Path:
    """A new virtual environment holding ``requirements`` and what they need; its python.

    It gets no pip of its own (the running one installs into it), so that every
    distribution in it is one the requirements brought.
    """
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile")
    _run(*pip, *requirements, cwd=home)
    return python


@pytest.fixture(scope="module")
def core_env(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of an environment where only the core's wheel was installed."""
    return _environment(tmp_path_factory.mktemp("core-env"), wheels["core"])


@pytest.fixture(scope="module")
def kit_env(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of an environment where the core's wheel was installed with its kit."""
    return _environment(tmp_path_factory.mktemp("kit-env"), f"{wheels['core']}[testing]")


@pytest.fixture(scope="module")
def security_env(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of an environment where the core's wheel was installed with its security
    extra."""
    return _environment(tmp_path_factory.mktemp("security-env"), f"{wheels['core']}[security]")


@pytest.fixture(scope="module")
def service_env(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of an environment where the service's wheel was installed, beside the core's."""
    home = tmp_path_factory.mktemp("service-env")
    return _environment(home, wheels["core"], wheels["service"])


def test_the_core_installs_alone(core_env: Path, tmp_path: Path) -> None:
    """The core's wheel brings no other distribution, requires one only for its testing extra,
    and puts nothing but the ``moviecore`` package into site-packages."""
    assert _run(core_env, "-c", DESCRIBE, cwd=tmp_path).splitlines() == [
        "['moviecore']",
        str(
            [
                "anyio>=4; extra == 'testing'",
                "bcrypt>=4.2; extra == 'security'",
                "cachetools>=7.1; extra == 'security'",
                "hypothesis>=6.100; extra == 'testing'",
                "pyjwt>=2.9; extra == 'security'",
                "pytest>=8; extra == 'testing'",
            ]
        ),
        str(["moviecore", f"moviecore-{VERSION}.dist-info"]),
    ]


def test_the_core_runs_on_the_standard_library(core_env: Path, tmp_path: Path) -> None:
    """Installed alone, the core and its in-memory adapters run a use case, under the version
    the package declares."""
    script = """
import asyncio, importlib.metadata
from moviecore import MovieCore
from moviecore.testing import in_memory_ports

user = asyncio.run(MovieCore(in_memory_ports()).register_user("ada", "a long password"))
print(user.username, importlib.metadata.version("moviecore"))
"""
    assert _run(core_env, "-c", script, cwd=tmp_path).split() == ["ada", VERSION]


def test_the_core_alone_names_the_extra_security_needs(core_env: Path, tmp_path: Path) -> None:
    """Without the security extra, importing ``moviecore.security`` says how to get it."""
    script = """
try:
    import moviecore.security
except ImportError as error:
    print(error)
"""
    assert _run(core_env, "-c", script, cwd=tmp_path) == (
        "moviecore.security needs bcrypt: pip install 'moviecore[security]'\n"
    )


def test_the_downstream_example_passes_with_the_kit(kit_env: Path, tmp_path: Path) -> None:
    """With the testing extra, the downstream example's contract, state machine and
    property tests pass outside the source tree."""
    example = shutil.copy(ROOT / "examples" / "test_downstream.py", tmp_path)
    summary = _run(kit_env, "-m", "pytest", "-q", "-p", "no:cacheprovider", example, cwd=tmp_path)
    last = summary.splitlines()[-1].split()
    assert (last[1], "failed" in last) == ("passed", False)


def _outside_suite(python: Path, folder: Path, suite: str) -> dict[str, int]:
    """Outcomes of one suite of the outside team's SQLite adapters, run by the installed kit."""
    for source in (ROOT / "tests" / "integration" / "outside").glob("*.py"):
        shutil.copy(source, folder)
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", suite],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    last = done.stdout.splitlines()[-1].split(" in ")[0]
    counts = {kind: int(n) for n, kind in (part.split() for part in last.split(", "))}
    # the failures' own lines, not the summary's, which repeats them where CI is set
    counts["sqlite3 errors named"] = sum(
        not line.startswith("FAILED ") and "raised sqlite3.ProgrammingError" in line
        for line in done.stdout.splitlines()
    )
    return counts


def test_outside_adapters_pass_the_installed_kit(kit_env: Path, tmp_path: Path) -> None:
    """Adapters of an outside team, on sqlite3 and the installed wheel alone, pass the user
    and collection contracts, the storage fault contract and the collection rules."""
    outcomes = _outside_suite(kit_env, tmp_path, "sqlite_suite.py")
    assert (outcomes.get("failed", 0), outcomes["passed"] >= 50) == (0, True)


def test_a_leaking_outside_adapter_fails_the_fault_contract(kit_env: Path, tmp_path: Path) -> None:
    """The same collections with sqlite3's errors untranslated fail every collections call of
    the fault contract, each failure naming the error that leaked; the users pass."""
    assert _outside_suite(kit_env, tmp_path, "leaking_suite.py") == {
        "failed": 6,
        "passed": 6,
        "sqlite3 errors named": 6,
    }


def test_a_core_only_service_signs_users_in(security_env: Path, tmp_path: Path) -> None:
    """With the security extra alone (bcrypt, pyjwt, cachetools), the core's production
    hasher and token issuer register and sign a user in, without the web stack."""
    script = """
import asyncio
from dataclasses import replace
from moviecore import MovieCore
from moviecore.security import BcryptPasswordHasher, JwtTokenIssuer
from moviecore.testing import in_memory_ports

ports = replace(in_memory_ports(), hasher=BcryptPasswordHasher(4), tokens=JwtTokenIssuer("s" * 32))
core = MovieCore(ports)

async def main():
    ada = await core.register_user("ada", "correct horse battery")
    tokens = await core.login_for_tokens("ada", "correct horse battery", address="192.0.2.1")
    signed_in = await core.authenticate(tokens.access_token)
    print(ada.password_hash[:4], signed_in.user == ada.id)

asyncio.run(main())
"""
    distributions = ast.literal_eval(
        _run(security_env, "-c", DESCRIBE, cwd=tmp_path).split("\n")[0]
    )
    assert (_run(security_env, "-c", script, cwd=tmp_path).split(), distributions) == (
        ["$2b$", "True"],
        ["PyJWT", "bcrypt", "cachetools", "moviecore"],
    )


def test_the_installed_kit_shows_what_a_failing_case_compared(
    kit_env: Path, tmp_path: Path
) -> None:
    """Installed with the testing extra, the kit's plugin makes a failing contract case show
    the values it compared."""
    assert first_error(kit_env, tmp_path)[:2] == ["AssertionError:", "assert"]


def test_the_service_serves_requests(service_env: Path, tmp_path: Path) -> None:
    """The service's wheel gives a ``moviecore`` command that serves: a new user registers
    and browses the bundled catalog."""
    server = ServerProcess(tmp_path / "data", command=[str(service_env.parent / "moviecore")])
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            account = {"username": "ada", "password": "a long password"}
            registered = http.post("/register/", json=account)
            token = registered.json()["access_token"]
            movies = http.get("/movies/", headers={"Authorization": f"Bearer {token}"})
    finally:
        server.stop()
    assert (registered.status_code, movies.status_code, movies.json()["count"] > 0) == (
        201,
        200,
        True,
    )


def test_the_service_installs_its_modules_beside_the_core(
    service_env: Path, tmp_path: Path
) -> None:
    """The service's wheel puts the adapters, the composition root and the command line at
    the top of site-packages, beside the core."""
    top = ast.literal_eval(_run(service_env, "-c", DESCRIBE, cwd=tmp_path).splitlines()[2])
    assert sorted({"adapters", "app.py", "cli.py", "moviecore"} & set(top)) == [
        "adapters",
        "app.py",
        "cli.py",
        "moviecore",
    ]


def test_the_library_demo_runs_on_the_service(service_env: Path, tmp_path: Path) -> None:
    """With the service installed, the demo drives every use case over the SQLite adapters."""
    demo = shutil.copy(ROOT / "examples" / "collections_demo.py", tmp_path)
    lines = _run(service_env, demo, cwd=tmp_path).splitlines()
    assert lines[-1] == "after delete: 1 collection left"


def test_the_service_requires_the_core_of_its_version(service_env: Path, tmp_path: Path) -> None:
    """The service, and the core it requires outside its extras, carry the version the
    package declares."""
    script = """
import importlib.metadata as metadata
print(metadata.version("moviecore-service"))
required = metadata.requires("moviecore-service") or []
print([r for r in required if r.startswith("moviecore") and "extra ==" not in r])
"""
    assert _run(service_env, "-c", script, cwd=tmp_path).splitlines() == [
        VERSION,
        str([f"moviecore=={VERSION}"]),
    ]


def test_a_release_changes_the_version_in_one_place(tmp_path: Path) -> None:
    """With only ``moviecore.__version__`` changed, the service is built under that version
    and requires the core of that version."""
    for folder in ("src", "service"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    init = tmp_path / "src" / "moviecore" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8").replace(f'"{VERSION}"', '"9.8.7"'), encoding="utf-8"
    )
    pip = (sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--quiet")
    report = _run(*pip, "--report", "-", tmp_path / "service", cwd=tmp_path)
    metadata = json.loads(report)["install"][0]["metadata"]
    required = [r for r in metadata["requires_dist"] if r.startswith("moviecore")]
    assert (metadata["version"], required) == (
        "9.8.7",
        ["moviecore==9.8.7", "moviecore[testing]; extra == 'dev'"],
    )


def test_the_version_is_a_release_the_changelog_describes() -> None:
    """The version every build reports (``--version``, ``GET /``, ``GET /health/``, the
    OpenAPI document) has its section in the CHANGELOG."""
    headings = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
    assert f"## [{VERSION}]" in [line.partition(" - ")[0] for line in headings]
