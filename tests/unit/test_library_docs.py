"""Every Python example in the library guide runs, and prints what its comments promise."""

import contextlib
import io
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).parents[2] / "docs" / "library.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
PROMISE = re.compile(r"print\(.*\)\s+# (.*)$")


def test_the_guide_has_examples() -> None:
    """The guide shows at least one example of each part of the library."""
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("source", BLOCKS, ids=[f"example-{n}" for n in range(len(BLOCKS))])
def test_example_runs(source: str) -> None:
    """An example runs, its test functions pass, and it prints what its comments say."""
    namespace: dict[str, object] = {"__name__": "guide_example"}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(source, str(GUIDE), "exec"), namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()
    promised = [m.group(1) for line in source.splitlines() if (m := PROMISE.search(line))]
    assert output.getvalue().splitlines() == promised
