"""Storage adapters import the core, never the settings nor another adapter."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ADAPTERS = Path(__file__).parents[2] / "src" / "adapters"
STORAGE = ("sqlite", "postgres", "redis")
SHARED = ("adapters.faults", "adapters.migrations")
"""What the storage adapters share, each importing only the standard library: the names of
connection faults, and the rule of schema migrations. A vocabulary, not an adapter."""


def _imported(source: str, package: str) -> set[str]:
    """Every name a module of ``package`` imports with ``source``, relative imports resolved,
    those inside functions included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            # "from adapters import settings" imports the module adapters.settings
            found.update(f"{module}.{alias.name}" for alias in node.names)
            found.add(module)
    return found


def _foreign(source: str, package: str) -> set[str]:
    """What a module of ``adapters.<package>`` imports from other adapters."""
    return {
        name
        for name in _imported(source, f"adapters.{package}")
        if name.startswith("adapters.")
        and not any(
            name == ok or name.startswith(f"{ok}.") for ok in (f"adapters.{package}", *SHARED)
        )
    }


def _foreign_adapters(package: str) -> dict[str, set[str]]:
    """For each module of ``adapters.<package>``, what it imports from other adapters."""
    paths = sorted((ADAPTERS / package).rglob("*.py"))
    found = {path.name: _foreign(path.read_text(encoding="utf-8"), package) for path in paths}
    assert found, f"no modules found in adapters/{package}"
    return {name: others for name, others in found.items() if others}


@pytest.mark.parametrize("package", STORAGE)
def test_storage_adapters_import_no_settings_and_no_other_adapter(package: str) -> None:
    """A storage adapter can be reused, or replaced, without taking the settings, the HTTP
    layer or the upstream client along: it imports none of them."""
    assert _foreign_adapters(package) == {}


@pytest.mark.parametrize("module", SHARED)
def test_what_the_adapters_share_imports_only_the_standard_library(module: str) -> None:
    """What the storage adapters may share brings nothing else with it."""
    path = ADAPTERS / f"{module.removeprefix('adapters.')}.py"
    imported = _imported(path.read_text(encoding="utf-8"), "adapters")
    assert {name.partition(".")[0] for name in imported} - set(sys.stdlib_module_names) == set()


def test_the_check_sees_every_way_of_importing_another_adapter() -> None:
    """Absolute, relative and deferred imports of another adapter are all found."""
    source = (
        "from adapters import settings\n"
        "from ..upstream.wire import PAGE_SIZE\n"
        "from . import _pool\n"
        "from adapters.faults import Fault\n"
        "def later() -> None:\n"
        "    import adapters.metrics\n"
    )
    assert _foreign(source, "postgres") == {
        "adapters.settings",
        "adapters.upstream.wire",
        "adapters.upstream.wire.PAGE_SIZE",
        "adapters.metrics",
    }


_SERVICE_IMPORTS = """
import importlib, pkgutil, sys
import adapters, app, cli
for module in pkgutil.walk_packages(adapters.__path__, "adapters."):
    importlib.import_module(module.name)
print(sorted(name for name in sys.modules if name.startswith("moviecore.testing")))
"""


def test_the_service_imports_nothing_of_the_testing_kit() -> None:
    """Every module of the service imported in a fresh interpreter brings in no module of
    ``moviecore.testing``: test doubles are not product code."""
    found = subprocess.run(
        [sys.executable, "-c", _SERVICE_IMPORTS], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_no_service_module_names_the_testing_kit() -> None:
    """No module of the service imports ``moviecore.testing``, not even inside a function."""
    sources = [*ADAPTERS.rglob("*.py"), ADAPTERS.parent / "app.py", ADAPTERS.parent / "cli.py"]
    naming = {
        str(path.relative_to(ADAPTERS.parent))
        for path in sources
        if any(
            name == "moviecore.testing" or name.startswith("moviecore.testing.")
            for name in _imported(path.read_text(encoding="utf-8"), "adapters")
        )
    }
    assert naming == set()
