"""What a browser is told to refuse, and API documentation that works offline.

Every answer carries a Content-Security-Policy (the web page loads nothing but its own
files), `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and
`Referrer-Policy: no-referrer`. The documentation pages (Swagger UI, ReDoc) are served
from assets installed with the package (`fastapi-offline`), never from a CDN; their one
inline script is allowed by its hash, not by `'unsafe-inline'`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/static-docs"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI and ReDoc set style attributes and ReDoc runs a worker from a blob.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


class QueryGuard:
    """Requests refused or mended before any endpoint sees them:

    - a NUL in the query string (PostgreSQL takes none in text): 422;
    - query parameters in compatibility forms (full-width letters, ligatures): read as their
      NFKC normal form, as the stored text is, so `ＣＨＩＬＤＲＥＮ` finds "children";
    - an upload announcing more bytes than `max_upload_bytes` allows: 413 before it is
      read; one that does not say its length: 411.
    """

    UPLOAD_OVERHEAD = 64 * 1024  # the multipart envelope around the file

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body = max_upload_bytes + self.UPLOAD_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            await _refuse(scope, receive, send, 422, "A query parameter holds a NUL character.")
            return
        if any(byte >= 0x80 for byte in query) or b"%" in query:
            mended = _nfkc(query)
            if mended != query:
                scope = {**scope, "query_string": mended}
        if scope["method"] == "POST":
            length = Headers(scope=scope).get("content-length")
            if length is None:
                await _refuse(scope, receive, send, 411, "Say the upload's Content-Length.")
                return
            if not length.isdigit() or int(length) > self.max_body:
                await _refuse(
                    scope, receive, send, 413, "The upload is over the size this API takes."
                )
                return
        await self.app(scope, receive, send)


def _nfkc(query: bytes) -> bytes:
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    mended = [(name, unicodedata.normalize("NFKC", value)) for name, value in pairs]
    if mended == pairs:
        return query
    return urlencode(mended).encode("ascii")


async def _refuse(scope: Scope, receive: Receive, send: Send, code: int, detail: str) -> None:
    await JSONResponse(status_code=code, content={"detail": detail})(scope, receive, send)


class SecurityHeaders:
    """Adds the headers above to every HTTP answer that does not set its own policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", PAGE_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _allowing_its_scripts(page: HTMLResponse) -> HTMLResponse:
    body = bytes(page.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(body)
    )
    page.headers["content-security-policy"] = DOCS_POLICY.format(hashes=hashes)
    return page


def add_offline_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from the package's own assets."""
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="static-docs")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _allowing_its_scripts(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title}: documentation",
                swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _allowing_its_scripts(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title}: documentation",
                redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
