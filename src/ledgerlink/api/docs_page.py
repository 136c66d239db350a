"""The API docs page (Swagger UI), served whole by this server so it works offline.

Swagger UI's script, styles and icon come from the ``swagger-ui-bundle`` package and are
served under ``/api/v1/docs/assets``; the page itself is written here so that it names nothing
outside this server (FastAPI's default page loads them from a CDN, a blank page offline).
Swagger UI's validator badge, which fetches an image from the internet, is switched off.
"""

from __future__ import annotations

import json
from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: {spec},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
</script>
</body>
</html>
"""


def install_docs(app: FastAPI, docs_url: str, openapi_url: str = "/openapi.json") -> None:
    """``docs_url`` answers the page; ``docs_url + "/assets"`` the package's files."""
    assets = docs_url + "/assets"
    app.mount(assets, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(docs_url, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        page = PAGE.format(
            title=escape(f"{app.title} API"),
            assets=escape(root + assets),
            spec=json.dumps(root + openapi_url),
        )
        return HTMLResponse(page)
