"""A fresh CSRF token for the offline script, which sends records queued under an older one."""

from flask import Blueprint, jsonify
from flask_wtf.csrf import generate_csrf

bp = Blueprint("offline", __name__)


@bp.route("/offline/csrf-token")
def csrf_token():
    """The session's current CSRF token; login is required like anywhere else (S1), no-store like any page."""
    return jsonify(csrf_token=generate_csrf())
