"""The core, and the stdlib part of its testing kit, import nothing but the standard library;
the production hasher and token issuer import their ``security`` extra alone."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import moviecore

PACKAGE = Path(moviecore.__file__).parent
TESTING = PACKAGE / "testing"
# Only these testing-kit modules may import hypothesis and pytest (the ``testing`` extra).
THIRD_PARTY_ALLOWED = {
    "contracts.py",
    "_account_contracts.py",
    "_contract_base.py",
    "_storage_contracts.py",
    "_edit_contracts.py",
    "_search_contracts.py",
    "_catalog_contracts.py",
    "_fault_contracts.py",
    "_sync_contracts.py",
    "pytest_plugin.py",
    "strategies.py",
    "stateful.py",
}


def _imported_roots(path: Path) -> set[str]:
    """The top-level names of every absolute import in one source file."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


def _foreign_imports(paths: list[Path]) -> dict[str, set[str]]:
    allowed = set(sys.stdlib_module_names) | {"moviecore"}
    foreign = {str(path.relative_to(PACKAGE)): _imported_roots(path) - allowed for path in paths}
    return {name: roots for name, roots in foreign.items() if roots}


# moviecore.security runs on the ``security`` extra, and only it imports these.
SECURITY = PACKAGE / "security.py"
SECURITY_IMPORTS = {"bcrypt", "jwt", "cachetools"}


def test_core_imports_only_the_standard_library() -> None:
    """No core module imports anything outside the standard library, but the production
    hasher and token issuer, which import only the ``security`` extra."""
    core = sorted(
        path for path in PACKAGE.rglob("*.py") if TESTING not in path.parents and path != SECURITY
    )
    assert core, "the core's modules were not found"
    security = _imported_roots(SECURITY) - set(sys.stdlib_module_names)
    assert (_foreign_imports(core), security) == ({}, SECURITY_IMPORTS)


def test_in_memory_adapters_import_only_the_standard_library() -> None:
    """The testing kit's adapters need only the standard library; only its test tools need more."""
    kit = sorted(path for path in TESTING.glob("*.py") if path.name not in THIRD_PARTY_ALLOWED)
    assert [path.name for path in kit if path.name == "__init__.py"] == ["__init__.py"]
    assert _foreign_imports(kit) == {}


@pytest.mark.parametrize("module", ["moviecore", "moviecore.testing"])
def test_importing_loads_no_test_framework(module: str) -> None:
    """Importing the package loads neither hypothesis nor pytest."""
    probe = f"import sys, {module}; print(sorted({{'hypothesis', 'pytest'}} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
