"""The interactive API docs: Swagger UI, whose files the service serves itself.

Litestar's doc pages load their scripts, styles and icon from public CDNs, so
without internet they stay blank. These load Swagger UI's own build from the
swagger-ui-py package (one pinned Swagger UI release per version, Apache-2.0),
served under ``ASSETS_PATH``. Redoc, Elements and RapiDoc have no maintained
package of their own, so only Swagger UI is served, at ``/schema/`` and
``/schema/swagger``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from litestar import Router
from litestar.openapi.plugins import OpenAPIRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.static_files import create_static_files_router

DOCS_PATH = "/schema"
ASSETS_PATH = f"{DOCS_PATH}/assets"


def _assets_directory() -> Path:
    """swagger-ui-py's folder of Swagger UI files, found without importing the package:
    that takes 60 to 90 ms here, mostly Jinja2 for pages the service does not use."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("swagger-ui-py is not installed", name="swagger_ui")
    return Path(spec.submodule_search_locations[0]) / "static"


def docs_plugins(root_path: str) -> list[OpenAPIRenderPlugin]:
    """Swagger UI at ``/schema/`` and ``/schema/swagger``, and the document in YAML.

    The page asks for its files under ``root_path``, the path a proxy serves the API
    at (PUBLIC_URL's): a browser sees ``/api/schema/``, not ``/schema/``. The paths
    stay absolute, since the page is served both at ``/schema`` and below it.
    """
    assets = f"{root_path}{ASSETS_PATH}"
    swagger = SwaggerRenderPlugin(
        path=["/", "/swagger"],
        js_url=f"{assets}/swagger-ui-bundle.js",
        css_url=f"{assets}/swagger-ui.css",
        standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
        favicon=f'<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">',
    )
    return [swagger, YamlRenderPlugin()]


def docs_assets() -> Router:
    """The route to Swagger UI's files, left out of the OpenAPI document."""
    return create_static_files_router(
        path=ASSETS_PATH, directories=[_assets_directory()], name="docs-assets"
    )
