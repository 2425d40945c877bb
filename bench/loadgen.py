"""A small closed-loop load generator: a few keep-alive clients, bounded in time, to 127.0.0.1 only.

Each client is a thread with its own http.client connection and cookie; it sends its next request
when the previous one answered, so the load never runs ahead of the server. With four clients the
generator uses a fraction of one core, which leaves the two gunicorn workers the rest of the machine.
"""

import http.client
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"  # never anything else: this is a local benchmark
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One browser-like session: a cookie jar, a CSRF token and a keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                # gunicorn's sync workers close the connection after each response: open a new one.
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            self.connection.close()
        match = CSRF.search(text)
        if match:
            self.csrf = match.group(1)
        return response.status, text

    def login(self, email: str, password: str) -> None:
        self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"csrf_token": self.csrf, "email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login as {email} failed with HTTP {status}")


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def contact_form(client: Client) -> dict:
    """The fields of a contact as a worker types them, with a fresh one-time submission token."""
    return {
        "csrf_token": client.csrf,
        "submission_token": secrets.token_urlsafe(24),
        # Yesterday: the form reads the program's wall clock, which may run hours behind this machine's.
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 86400)),
        "mode": "in_person",
        "contact_type": "check_in",
        "outcome": "completed",
        "duration_minutes": "20",
        "location_area": "Riverside",
        "notes": "Checked in at the corner store; doing fine.",
    }


def run(name: str, clients: list[Client], make_request, seconds: float, warmup: float, expect=(200,)) -> Result:
    """Drive every client in a loop for warmup + seconds; count only what finished after the warm-up."""
    result = Result(name)
    lock = threading.Lock()
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds

    def loop(client: Client) -> None:
        while True:
            began = time.perf_counter()
            if began >= stop:
                return
            method, path, form = make_request(client)
            try:
                status, _ = client.request(method, path, form)
            except Exception:  # noqa: BLE001 - a failed request is counted, not fatal
                status = 0
            ended = time.perf_counter()
            if began >= measure_from and ended <= stop:
                with lock:
                    result.requests += 1
                    result.latencies.append(ended - began)
                    result.statuses[status] += 1
                    if status not in expect:
                        result.errors += 1

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = seconds
    return result
