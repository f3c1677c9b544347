"""Build hook of the service's wheel: ``adapters``, ``app`` and ``cli`` come from ../src.

hatchling copies ``force-include`` files into editable installs too, where the
copies would shadow the sources being edited; so they are added here, to
standard wheels only, and an editable install finds them through
``dev-mode-dirs`` instead.
"""

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = {
    "../src/adapters": "adapters",
    "../src/app.py": "app.py",
    "../src/cli.py": "cli.py",
}


class ServiceSources(BuildHookInterface):
    """Adds the service's modules to a standard (not editable) wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Force-include the service's sources when building a standard wheel."""
        if version == "standard":
            build_data["force_include"].update(SOURCES)
