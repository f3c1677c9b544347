"""Build hooks of the service: its modules come from ../src, its core pin from the version.

hatchling copies ``force-include`` files into editable installs too, where the
copies would shadow the sources being edited; so they are added here, to
standard wheels only, and an editable install finds them through
``dev-mode-dirs`` instead.

The service needs the core of its own version (the two are built and released
together); that version is read from ``moviecore.__version__``, so the pin is
written here rather than by hand beside it.
"""

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

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


class CorePin(MetadataHookInterface):
    """The dependencies: the core of this very version, then those the hook's table lists."""

    def update(self, metadata: dict[str, Any]) -> None:
        """Set ``dependencies`` to ``moviecore==<version>`` and the configured ones."""
        metadata["dependencies"] = [
            f"moviecore=={metadata['version']}",
            *self.config["dependencies"],
        ]
