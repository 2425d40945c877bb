"""HVIP module pages."""

from flask import Blueprint

bp = Blueprint("hvip", __name__)
