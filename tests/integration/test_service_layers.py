"""The service's modules load what lies beneath them, never what is built on them."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "above"),
    [
        ("adapters.settings", "adapters.http"),  # adapters receive settings' values
        ("app", "cli"),  # the command is built on the composition root
    ],
)
def test_importing_a_module_loads_nothing_built_on_it(module: str, above: str) -> None:
    """Importing the settings loads no HTTP adapter, and importing the composition root
    loads no command line."""
    probe = f"import sys, {module}; print({above!r} in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
