"""Police incident feed import: upload a CSV, map its columns, preview (dry run), then import all new rows at once."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, SelectField, SubmitField

from caseflow.extensions import db
from caseflow.incidents.importing import (
    FORM_FIELD_LIMIT,
    IMPORT_FIELDS,
    MAX_BYTES,
    ImportFileError,
    ImportRefused,
    MappingError,
    build_preview,
    decode_upload,
    file_refs,
    guess_mapping,
    import_incidents,
    known_police_refs,
    pack_text,
    read_table,
    unpack_text,
)
from caseflow.incidents.services import IncidentRuleError
from caseflow.models.incident import INCIDENT_KINDS
from caseflow.permissions import SUPERVISING_ROLES, programs_for
from caseflow.timezones import local_now

bp = Blueprint("incident_import", __name__)

NOT_IN_FILE = ""


class ImportUploadForm(FlaskForm):
    """Step 1: the feed file; the size and encoding are checked when it is read."""

    file = FileField(
        "Police incident feed (CSV file, at most 2 MB)",
        validators=[FileRequired(message="Choose a CSV file."), FileAllowed(["csv"], "Choose a .csv file.")],
    )
    upload = SubmitField("Upload")


class ImportMappingForm(FlaskForm):
    """Step 2: which column feeds each incident field; the file itself travels packed in a hidden field."""

    feed = HiddenField()
    occurred_at = SelectField(dict(IMPORT_FIELDS)["occurred_at"], choices=[])
    occurred_date = SelectField(dict(IMPORT_FIELDS)["occurred_date"], choices=[])
    occurred_time = SelectField(dict(IMPORT_FIELDS)["occurred_time"], choices=[])
    area = SelectField(dict(IMPORT_FIELDS)["area"], choices=[])
    kind = SelectField(
        dict(IMPORT_FIELDS)["kind"],
        choices=[],
        description="Left out: shots fired when nobody was hit, otherwise a shooting.",
    )
    fatal_victims = SelectField(dict(IMPORT_FIELDS)["fatal_victims"], choices=[], description="Left out: 0.")
    nonfatal_victims = SelectField(dict(IMPORT_FIELDS)["nonfatal_victims"], choices=[], description="Left out: 0.")
    source_ref = SelectField(
        dict(IMPORT_FIELDS)["source_ref"],
        choices=[],
        description="Required: the police number recognises rows already imported.",
    )
    status = SelectField(dict(IMPORT_FIELDS)["status"], choices=[], description="Left out: Reported.")
    preview = SubmitField("Preview")
    confirm = SubmitField("Import")

    def mapping_fields(self):
        return [getattr(self, key) for key, _ in IMPORT_FIELDS]

    def set_columns(self, headers: list[str]) -> None:
        """Offer the file's own columns in every select."""
        choices = [(NOT_IN_FILE, "— not in the file —")] + [
            (str(i), name or f"Column {i + 1}") for i, name in enumerate(headers)
        ]
        for select_field in self.mapping_fields():
            select_field.choices = choices

    def mapping(self) -> dict[str, int | None]:
        return {key: (int(f.data) if f.data not in (None, NOT_IN_FILE) else None) for key, f in self._pairs()}

    def set_mapping(self, mapping: dict[str, int | None]) -> None:
        for key, select_field in self._pairs():
            select_field.data = NOT_IN_FILE if mapping.get(key) is None else str(mapping[key])

    def _pairs(self):
        return [(key, getattr(self, key)) for key, _ in IMPORT_FIELDS]


@bp.url_value_preprocessor
def allow_the_packed_file(_endpoint, _values):
    """Raise the form-field size limit for this page only, before CSRF checking parses the body.

    URL value preprocessors run ahead of every before_request hook, including CSRFProtect's,
    which would otherwise refuse the packed file with 413 under Flask's 500 kB default.
    """
    request.max_form_memory_size = FORM_FIELD_LIMIT


@bp.before_request
def require_supervisor_anywhere():
    """Only supervisors and managers import: a feed changes the register every program relies on."""
    if not programs_for(current_user, SUPERVISING_ROLES):
        abort(403)


def _page(step: str, status: int = 200, **ctx):
    return render_template(
        "incidents/import.html", step=step, max_mb=MAX_BYTES // (1024 * 1024), kinds=INCIDENT_KINDS, **ctx
    ), status


def _upload_step(form: ImportUploadForm):
    if not form.validate_on_submit():
        return _page("upload", upload_form=form)
    try:
        # Read one byte past the limit so a larger file is recognised without reading all of it.
        text = decode_upload(form.file.data.read(MAX_BYTES + 1))
    except ImportFileError as exc:
        form.file.errors = [*form.file.errors, str(exc)]
        return _page("upload", upload_form=form)
    headers, _ = read_table(text)
    mapping_form = ImportMappingForm(formdata=None)
    mapping_form.feed.data = pack_text(text)
    mapping_form.set_columns(headers)
    mapping_form.set_mapping(guess_mapping(headers))
    return _page("mapping", form=mapping_form, headers=headers)


@bp.route("/incidents/import", methods=["GET", "POST"])
def upload():
    if request.method == "GET" or "feed" not in request.form:
        return _upload_step(ImportUploadForm())
    form = ImportMappingForm()
    try:
        text = unpack_text(form.feed.data or "")
    except ImportFileError as exc:
        upload_form = ImportUploadForm(formdata=None)
        upload_form.file.errors = [str(exc)]
        return _page("upload", upload_form=upload_form)
    headers, _ = read_table(text)
    form.set_columns(headers)
    if not form.validate_on_submit():
        return _page("mapping", form=form, headers=headers)
    mapping = form.mapping()
    try:
        preview = build_preview(text, mapping, known_police_refs(file_refs(text, mapping)), local_now())
    except MappingError as exc:
        for key, message in exc.errors.items():
            target = getattr(form, key, None) if key != "_" else None
            (target.errors if target is not None else form.form_errors).append(message)
        return _page("mapping", form=form, headers=headers)
    if not form.confirm.data:
        # A dry run: nothing is written.
        return _page("mapping", form=form, headers=headers, preview=preview)
    try:
        ids = import_incidents(current_user, preview)
        db.session.commit()
    except ImportRefused as exc:
        db.session.rollback()
        return _page("mapping", 200, form=form, headers=headers, preview=preview, refused=str(exc))
    except (IncidentRuleError, IntegrityError):
        # Another import saved some of these references meanwhile; all or nothing, so nothing stays.
        db.session.rollback()
        refused = "Some of these incidents were added by someone else just now; nothing was imported. Preview again."
        return _page("mapping", 409, form=form, headers=headers, preview=preview, refused=refused)
    flash(
        f"Police feed imported: {len(ids)} new incidents, {preview.duplicates} duplicates skipped.",
        "success",
    )
    return redirect(url_for("incidents.index"))
