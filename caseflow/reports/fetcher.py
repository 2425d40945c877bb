"""The only URL fetcher WeasyPrint gets (S17): data: URIs and the app's own static files, nothing else.

A value printed in a PDF (a participant's name, a note) is escaped text, never markup; this fetcher is the
second wall: even a URL that did reach the renderer cannot read a file, call the network or leave static/.
"""

import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

# The base URL PDFs are rendered with. Its scheme is one urljoin does not resolve against, so a root-relative
# "/static/..." reaches the fetcher as it was written, and anything else relative is refused there.
STATIC_BASE_URL = "caseflow-pdf:/"
STATIC_PREFIX = "/static/"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9.+-]*):")


class RefusedURL(ValueError):
    """A PDF asked for something outside data: and static/; WeasyPrint skips the resource."""


class SafeURLFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves data: URIs and /static/ files and refuses every other URL."""

    def __init__(self):
        # data: is decoded by WeasyPrint's own handler; no other scheme can reach it, no redirect is followed.
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """The resource behind url, or RefusedURL."""
        if url.startswith(STATIC_PREFIX):
            return _static_file(url)
        match = _SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            return super().fetch(url, headers)
        raise RefusedURL(f"PDF resource refused ({scheme or 'relative'} URL)")


def _static_file(url: str) -> URLFetcherResponse:
    """A file under the app's static folder; any path that leaves it is refused."""
    path = unquote(urlsplit(url).path)[len(STATIC_PREFIX) :]
    folder = current_app.static_folder
    # safe_join refuses "..", absolute paths and drive letters; None means the path left the folder.
    full = safe_join(folder, path) if folder and path else None
    if full is None or not Path(full).resolve().is_relative_to(Path(folder).resolve()) or not Path(full).is_file():
        raise RefusedURL("PDF resource refused (not a static file)")
    mimetype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    return URLFetcherResponse(url, Path(full).read_bytes(), {"Content-Type": mimetype})


# One instance for every PDF; callable as safe_url_fetcher(url), as WeasyPrint calls it.
safe_url_fetcher = SafeURLFetcher()
