"""The kit's pytest plugin: a failing contract case shows the values that differ.

pytest rewrites ``assert`` statements, so that a failure prints both sides, only
in test files and in modules registered before their first import. The kit's
asserts live in its own modules: pytest loads this plugin (the ``pytest11`` entry
point of the ``moviecore`` distribution) before any test file, and it registers
them. Where plugins are not loaded automatically (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``),
load it with ``-p moviecore.testing.pytest_plugin``.
"""

import pytest

ASSERTING_MODULES = (
    "moviecore.testing._edit_contracts",
    "moviecore.testing._account_contracts",
    "moviecore.testing._catalog_contracts",
    "moviecore.testing._search_contracts",
    "moviecore.testing._storage_contracts",
    "moviecore.testing._sync_contracts",
    "moviecore.testing.contracts",
    "moviecore.testing.stateful",
)
"""Every module of the kit that holds ``assert`` statements."""

pytest.register_assert_rewrite(*ASSERTING_MODULES)
