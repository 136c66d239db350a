"""The API docs page (Swagger UI), served whole by this server so it works offline.

Swagger UI 5's script, styles and icon come from the ``fastapi-offline`` package (which ships
them for exactly this) and are served under ``/api/v1/docs/assets``; the page and the few lines
that start Swagger UI are written here, so the page names nothing outside this server (FastAPI's
default page loads them from a CDN, a blank page offline) and runs no inline script. Swagger UI
5 reads OpenAPI 3.1, which FastAPI writes (Swagger UI 4 cannot render it). Swagger UI's
validator badge, which fetches an image from the internet, is switched off.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{start}"></script>
</body>
</html>
"""


START = """window.ui = SwaggerUIBundle({{
  url: {spec},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
"""


def _assets() -> str:
    return str(resources.files("fastapi_offline") / "static")


def install_docs(app: FastAPI, docs_url: str, openapi_url: str = "/openapi.json") -> None:
    """``docs_url`` answers the page; ``docs_url + "/assets"`` the package's files."""
    assets = docs_url + "/assets"
    app.mount(assets, StaticFiles(directory=_assets()), name="docs-assets")

    @app.get(docs_url + "/start.js", include_in_schema=False)
    def start(request: Request) -> Response:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        script = START.format(spec=json.dumps(root + openapi_url))
        return Response(script, media_type="text/javascript")

    @app.get(docs_url, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        page = PAGE.format(
            title=escape(f"{app.title} API"),
            assets=escape(root + assets),
            start=escape(root + docs_url + "/start.js"),
        )
        return HTMLResponse(page)
