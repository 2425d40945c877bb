"""Focused deterrence pages."""

from flask import Blueprint

bp = Blueprint("deterrence", __name__)
