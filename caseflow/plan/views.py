"""Case plan pages."""

from flask import Blueprint

bp = Blueprint("plan", __name__)
