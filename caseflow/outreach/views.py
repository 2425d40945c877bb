"""Street outreach pages."""

from flask import Blueprint

bp = Blueprint("outreach", __name__)
