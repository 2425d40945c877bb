"""Crawl the app as one signed-in user: follow links, submit GET forms, and try every GET route by id.

Security tests use it to prove a role can reach no page that shows what it must not see.
"""

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from flask import Flask

LINK = re.compile(r"""(?:href|action)="([^"#]*)""")
SKIP_PREFIXES = ("/static/", "/bootstrap/")


def _local_path(base: str, href: str) -> str | None:
    """A same-site path from a link, or None for other sites, mailto and static files."""
    url = urljoin(base, href.replace("&amp;", "&"))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path


def crawl(client, start: str = "/", limit: int = 400) -> dict[str, tuple[int, str]]:
    """Every page reachable from start by links and GET form actions: path -> (status, body)."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path, follow_redirects=True)
        body = response.get_data(as_text=True)
        seen[path] = (response.status_code, body)
        if response.mimetype != "text/html":
            continue
        for href in LINK.findall(body):
            target = _local_path(path, href)
            if target and target not in seen and target != "/logout":
                queue.append(target)
    return seen


def every_get_route(app: Flask, ids: Iterable[int]) -> list[str]:
    """Each GET rule of the app, with every id filled in (the same id for all its arguments)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        if not rule.arguments:
            paths.append(rule.rule)
            continue
        if re.search(r"<(?!int:)", rule.rule):
            continue
        for record_id in ids:
            paths.append(re.sub(r"<int:\w+>", str(record_id), rule.rule))
    return paths
