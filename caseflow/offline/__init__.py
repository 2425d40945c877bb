"""Offline sync: the contact and mediation forms also answer the browser's queue script, in JSON.

A form sent by static/js/offline.js carries the header X-Caseflow-Sync ("submit" when the person
just pressed save, "queue" when a record kept on the device is sent later). Such a request gets a
small JSON answer the script can act on, where a plain form post gets a page or a redirect:

  200 saved      the record is in the database (a replayed submission token answers this too)
  400 csrf       the CSRF token is stale: fetch a fresh one from offline.csrf_token and resend
  401 login      no live session: the person must log in, then the queue resumes
  409 conflict   an edit made from an older version: shown as a conflict, never saved over
  422 invalid    the server refused the input: the person opens it to see why
"""

from flask import flash, get_flashed_messages, jsonify, redirect, request, url_for

SYNC_HEADER = "X-Caseflow-Sync"
SYNC_MODES = ("submit", "queue")


def is_sync_request() -> bool:
    """Sent by the offline script (a custom header, so never by a plain form or a link)."""
    return request.headers.get(SYNC_HEADER) in SYNC_MODES


def saved(url: str, message: str):
    """The record is committed: a redirect for a form, JSON for the script."""
    if not is_sync_request():
        flash(message, "success")
        return redirect(url)
    if request.headers.get(SYNC_HEADER) == "submit":
        # The person is waiting on this page and goes to `url` next: show them the usual message there.
        flash(message, "success")
    return jsonify(status="saved", message=message, url=url)


def not_saved(form):
    """Input the server refused (field errors, a domain rule): JSON for the script, else None."""
    if not is_sync_request():
        return None
    # A rule's message was flashed for the page that is not rendered now: hand it over instead.
    messages = [message for _category, message in get_flashed_messages(with_categories=True)]
    errors = {name: list(errs) for name, errs in form.errors.items() if name != "csrf_token"}
    return jsonify(status="invalid", errors=errors, messages=messages), 422


def conflict(response):
    """A stale edit: the 409 page as it is for a form, a bare 409 for the script (it reopens the page)."""
    if not is_sync_request():
        return response
    return jsonify(status="conflict", message="Someone else changed this record first."), 409


def login_needed():
    """No live session for a script request: say so, never a redirect to a login page it cannot show."""
    return jsonify(status="login", login_url=url_for("auth.login")), 401


def csrf_failed():
    """The token the script sent is stale: it fetches a fresh one and sends again."""
    return jsonify(status="csrf", token_url=url_for("offline.csrf_token")), 400
