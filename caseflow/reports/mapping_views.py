"""The report mappings page: managers choose which stored values count as which VOCA type or service category.

The mappings are deployment-wide (one table, not per program), so any program manager may edit them; everyone
else gets 404. A saved mapping replaces the default in voca.py as a whole; "Restore defaults" deletes it again.
Pages show no participant data, so only the changes are audited.
"""

import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete, select
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import AnyOf, ValidationError

from caseflow.audit.services import record_event
from caseflow.conflicts import VersionMixin
from caseflow.extensions import db
from caseflow.models import ReportMapping, User
from caseflow.models.base import utcnow
from caseflow.models.reportmap import REPORT_MAPPINGS
from caseflow.permissions import programs_for
from caseflow.reports.measures import voca

bp = Blueprint("report_mappings", __name__)

MAPPING_TITLES = dict(REPORT_MAPPINGS)
NOT_COUNTED = "— not counted —"
ADULT, MINOR = "adult", "minor"


def _manager_or_404() -> None:
    """Managers of any live program; nobody else has this page."""
    if not programs_for(current_user, ("manager",)):
        abort(404)


# --- forms ---------------------------------------------------------------------------------------------------


def _field_name(kind: str, value: str, part: str = ADULT) -> str:
    return f"{kind}__{value}__{part}"


def _current_targets(mapping: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(kind, value) -> (target, target for minors) for every listed value, under the mapping in force."""
    in_force = voca.effective_map(mapping)
    current = {}
    for kind, _, choices in voca.SOURCES[mapping]:
        for value, _ in choices:
            target = in_force.get(kind, {}).get(value)
            current[kind, value] = target if isinstance(target, tuple) else (target, None)
    return current


def _default_targets(mapping: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    defaults = voca.DEFAULTS[mapping]
    result = {}
    for kind, _, choices in voca.SOURCES[mapping]:
        for value, _ in choices:
            target = defaults.get(kind, {}).get(value)
            result[kind, value] = target if isinstance(target, tuple) else (target, None)
    return result


def _fingerprint(mapping: str) -> str:
    """Names the saved state of a mapping, so a save made from an older page is caught (no version column)."""
    rows = db.session.execute(
        select(ReportMapping.source_kind, ReportMapping.source_value, ReportMapping.target, ReportMapping.target_minor)
        .where(ReportMapping.mapping == mapping)
        .order_by(ReportMapping.source_kind, ReportMapping.source_value)
    ).all()
    if not rows:
        return "defaults"
    text = "\n".join(f"{kind}={value}:{target or ''}/{minor or ''}" for kind, value, target, minor in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _known_target(form, field):
    """A target must be one of the listed ones (or not counted); says so in words, unlike WTForms' own check."""
    if field.data not in dict(field.choices):
        raise ValidationError("Choose one of the listed options.")


class MappingForm(FlaskForm, VersionMixin):
    """One mapping's rows; the select fields are added per stored value by mapping_form()."""

    mapping = HiddenField(validators=[AnyOf(list(MAPPING_TITLES), message="Unknown mapping.")])
    submit = SubmitField("Save")

    rows: list = []


class RestoreForm(FlaskForm):
    """Delete a mapping's saved rows so the defaults apply again."""

    mapping = HiddenField(validators=[AnyOf(list(MAPPING_TITLES), message="Unknown mapping.")])
    submit = SubmitField("Restore defaults")


def mapping_form(mapping: str, submitted: bool = False) -> MappingForm:
    """A form class with one labelled select per stored value (two for victimization: by age), then an instance.

    Submitted: bound to the posted data; otherwise filled from the mapping in force. rows, for the template:
    (heading, [(value label, field names, default text)]) per record kind.
    """
    options = [("", NOT_COUNTED)] + [(t, t) for t in voca.TARGETS[mapping]]
    defaults = _default_targets(mapping)
    attrs, rows = {}, []
    for kind, heading, choices in voca.SOURCES[mapping]:
        group = []
        for value, label in choices:
            adult, minor = defaults[kind, value]
            names = [_field_name(kind, value)]
            if mapping == voca.VICTIMIZATION:
                attrs[names[0]] = SelectField(
                    f"{label}: 18 or older on the day",
                    choices=options,
                    validate_choice=False,
                    validators=[_known_target],
                )
                names.append(_field_name(kind, value, MINOR))
                attrs[names[1]] = SelectField(
                    f"{label}: under 18 or age unknown",
                    choices=options,
                    validate_choice=False,
                    validators=[_known_target],
                )
                default = f"Default: {adult or voca.NOT_COUNTED} / {minor or voca.NOT_COUNTED}"
            else:
                attrs[names[0]] = SelectField(label, choices=options, validate_choice=False, validators=[_known_target])
                default = f"Default: {adult or voca.NOT_COUNTED}"
            group.append((label, names, default))
        rows.append((heading, group))
    form_class = type(f"MappingForm_{mapping}", (MappingForm,), attrs)
    form = form_class() if submitted else form_class(formdata=None)
    form.rows = rows
    if not submitted:
        form.mapping.data = mapping
        form.version.data = _fingerprint(mapping)
        for (kind, value), (adult, minor) in _current_targets(mapping).items():
            form[_field_name(kind, value)].data = adult or ""
            if mapping == voca.VICTIMIZATION:
                form[_field_name(kind, value, MINOR)].data = minor or ""
    return form


def _chosen(form: MappingForm, mapping: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """What the validated form asks for: (kind, value) -> (target, target for minors), None for not counted."""
    chosen = {}
    for kind, _, choices in voca.SOURCES[mapping]:
        for value, _ in choices:
            adult = form[_field_name(kind, value)].data or None
            minor = None
            if mapping == voca.VICTIMIZATION:
                minor = form[_field_name(kind, value, MINOR)].data or None
            chosen[kind, value] = (adult, minor)
    return chosen


# --- services ------------------------------------------------------------------------------------------------


def _describe_target(mapping: str, pair: tuple[str | None, str | None]) -> str:
    adult, minor = (t or voca.NOT_COUNTED for t in pair)
    if mapping == voca.VICTIMIZATION and adult != minor:
        return f"{adult} / {minor}"
    return adult


def save_mapping(actor: User, mapping: str, chosen: dict) -> list[str]:
    """Replace a mapping with the chosen targets (every listed value gets a row); audit; flush, never commit.

    Returns the changes in words; nothing is written when nothing changed, so the defaults stay in force.
    """
    allowed = set(voca.TARGETS[mapping]) | {None}
    unknown = {t for pair in chosen.values() for t in pair} - allowed
    if unknown:
        raise ValueError(f"unknown targets {sorted(unknown)}")
    before = _current_targets(mapping)
    changes = [
        f"{kind}.{value}: {_describe_target(mapping, before.get((kind, value), (None, None)))} → "
        f"{_describe_target(mapping, pair)}"
        for (kind, value), pair in chosen.items()
        if before.get((kind, value), (None, None)) != pair
    ]
    if not changes:
        return []
    existing = {
        (row.source_kind, row.source_value): row
        for row in db.session.execute(select(ReportMapping).where(ReportMapping.mapping == mapping)).scalars()
    }
    now = utcnow()
    for (kind, value), (target, minor) in chosen.items():
        row = existing.pop((kind, value), None)
        if row is None:
            row = ReportMapping(mapping=mapping, source_kind=kind, source_value=value)
            db.session.add(row)
        row.target, row.target_minor = target, minor
        row.updated_by_id, row.updated_at = actor.id, now
    for stale in existing.values():  # a value the code no longer lists
        db.session.delete(stale)
    db.session.flush()
    record_event(actor, "update", "report_mapping", detail=f"{mapping}: " + "; ".join(changes))
    return changes


def restore_defaults(actor: User, mapping: str) -> int:
    """Delete a mapping's saved rows so the defaults in voca.py apply; audit; flush, never commit."""
    removed = db.session.execute(delete(ReportMapping).where(ReportMapping.mapping == mapping)).rowcount
    if removed:
        record_event(actor, "update", "report_mapping", detail=f"{mapping}: defaults restored ({removed} rows removed)")
    return removed


# --- views ---------------------------------------------------------------------------------------------------


def _page(forms: dict[str, MappingForm], status: int = 200):
    restore = {mapping: RestoreForm(formdata=None, mapping=mapping) for mapping in MAPPING_TITLES}
    saved = {
        mapping: db.session.execute(select(ReportMapping.id).where(ReportMapping.mapping == mapping).limit(1)).first()
        is not None
        for mapping in MAPPING_TITLES
    }
    return (
        render_template("reports/mappings.html", forms=forms, restore=restore, titles=MAPPING_TITLES, saved=saved),
        status,
    )


def _conflict(form: MappingForm, mapping: str, chosen: dict):
    """409: someone saved this mapping after the page was loaded; show both, keep the user's choices."""
    current = _current_targets(mapping)
    labels = {(kind, value): label for kind, _, choices in voca.SOURCES[mapping] for value, label in choices}
    fields = [
        (labels[key], _describe_target(mapping, pair), _describe_target(mapping, current[key]))
        for key, pair in chosen.items()
    ]
    form.version.data = _fingerprint(mapping)
    page = render_template(
        "conflict.html", form=form, fields=fields, form_template="reports/_mapping_form.html", titles=MAPPING_TITLES
    )
    return page, 409


@bp.route("/reports/mappings", methods=["GET", "POST"], endpoint="mappings")
def mappings():
    _manager_or_404()
    if request.method == "GET":
        return _page({mapping: mapping_form(mapping) for mapping in MAPPING_TITLES})
    mapping = request.form.get("mapping", "")
    if mapping not in MAPPING_TITLES:
        abort(404)
    form = mapping_form(mapping, submitted=True)
    forms = {m: form if m == mapping else mapping_form(m) for m in MAPPING_TITLES}
    if not form.validate_on_submit():
        return _page(forms, 200)
    chosen = _chosen(form, mapping)
    if form.version.data != _fingerprint(mapping):
        return _conflict(form, mapping, chosen)
    changes = save_mapping(current_user, mapping, chosen)
    db.session.commit()
    if changes:
        flash(f"{MAPPING_TITLES[mapping]} saved: {len(changes)} changed. Reports use them from now on.", "success")
    else:
        flash(f"{MAPPING_TITLES[mapping]}: nothing changed.", "info")
    return redirect(url_for("report_mappings.mappings"))


@bp.post("/reports/mappings/restore", endpoint="restore")
def restore():
    _manager_or_404()
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(404)
    mapping = form.mapping.data
    removed = restore_defaults(current_user, mapping)
    db.session.commit()
    if removed:
        flash(f"{MAPPING_TITLES[mapping]}: the defaults apply again.", "success")
    else:
        flash(f"{MAPPING_TITLES[mapping]} already use the defaults.", "info")
    return redirect(url_for("report_mappings.mappings"))
