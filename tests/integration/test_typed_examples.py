"""The examples and every Python snippet of the library guide pass ``mypy --strict``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "library.md"


def test_examples_and_guide_snippets_type_check(tmp_path: Path) -> None:
    """A downstream user running ``mypy --strict`` on the examples and on each snippet of
    the guide, as a module of its own, finds no error."""
    snippets = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    for number, snippet in enumerate(snippets):
        (tmp_path / f"guide_snippet_{number}.py").write_text(snippet, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--config-file="]
        + [str(path) for path in sorted((ROOT / "examples").glob("*.py"))]
        + [str(path) for path in sorted(tmp_path.glob("*.py"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MYPYPATH": str(ROOT / "src")},
    )
    assert (checked.stdout.splitlines(), len(snippets) >= 6) == ([], True)
