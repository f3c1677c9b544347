"""The built wheel is all a downstream user needs to run the example and downstream tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import moviecore

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this source tree."""
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, ROOT, cwd=out)
    (built,) = out.glob("moviecore-*.whl")
    return built


@pytest.fixture(scope="module")
def clean_env(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new virtual environment holding only the wheel (with its testing extra) and pytest."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", f"{wheel}[testing]", cwd=home)
    yield python
    shutil.rmtree(home, ignore_errors=True)


def test_wheel_holds_the_library_and_no_tests(wheel: Path) -> None:
    """The wheel ships the core, its typing marker, the adapters with their data, and no tests."""
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        "app.py",
        "moviecore/__init__.py",
        "moviecore/py.typed",
        "moviecore/testing/contracts.py",
        "adapters/movies.json",
        "adapters/sqlite/migrations/0001_initial.sql",
        "adapters/postgres/migrations/0001_initial.sql",
    }
    strays = {name for name in names if name.startswith(("tests/", "examples/", "bench/"))}
    assert (wanted - names, strays) == (set(), set())


def test_version_comes_from_one_place(clean_env: Path, tmp_path: Path) -> None:
    """The installed distribution reports the version the package itself declares."""
    script = "import importlib.metadata as m; print(m.version('moviecore'))"
    assert _run(clean_env, "-c", script, cwd=tmp_path).strip() == moviecore.__version__


def test_example_and_downstream_tests_run_from_the_wheel(clean_env: Path, tmp_path: Path) -> None:
    """Outside the source tree, the demo prints its walk-through and the downstream tests pass."""
    examples = shutil.copytree(ROOT / "examples", tmp_path / "examples")
    demo = _run(clean_env, examples / "collections_demo.py", cwd=tmp_path)
    tests = _run(clean_env, "-m", "pytest", "-q", "-p", "no:cacheprovider", examples, cwd=tmp_path)
    assert (demo.splitlines()[-1], " passed" in tests.splitlines()[-1]) == (
        "after delete: 1 collection left",
        True,
    )
