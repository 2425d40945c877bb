"""Consent pages."""

from flask import Blueprint

bp = Blueprint("consents", __name__)
