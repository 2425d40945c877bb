"""Recent re-authentication for the riskiest actions: bulk export, role grants, break-glass, purge (S13)."""

import time
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for

FRESH_AT = "fresh_at"


def mark_fresh() -> None:
    """The user just proved who they are (at login or on the confirm page)."""
    session[FRESH_AT] = int(time.time())


def is_fresh() -> bool:
    """Whether the user confirmed their password within the configured minutes."""
    confirmed = session.get(FRESH_AT)
    window = current_app.config["FRESH_AUTH_MINUTES"] * 60
    return isinstance(confirmed, int) and 0 <= time.time() - confirmed < window


def reauth_redirect(back: str | None = None, **values):
    """Send the user to confirm their password, then back to a page they can act from.

    A GET comes back to the same page. A POST is not replayed (its body could be anything):
    the user returns to `back` (an endpoint, by default this URL as a GET) and submits again.
    """
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    elif back:
        target = url_for(back, **values)
    else:
        target = request.path
    flash("Confirm your password to continue. Nothing has been changed yet.", "info")
    return redirect(url_for("auth.reauth", next=target))


def fresh_auth_required(back: str | None = None, methods: tuple[str, ...] = ("GET", "POST")):
    """Decorate a view so the listed methods need a recent password check."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method not in methods or is_fresh():
                return view(*args, **kwargs)
            return reauth_redirect(back, **kwargs)

        return wrapped

    return decorator
