"""Emergency access pages: open an out-of-scope record with a reason, and see what you have open (S8).

For supervisors and managers only (403 for anyone else, decided before any record is looked at),
behind a recent password check (S13), asked before anything is typed.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.auth.fresh import fresh_auth_required
from caseflow.breakglass.forms import BreakGlassForm
from caseflow.breakglass.services import NoEmergencyMatch, can_break_glass, my_live_grants, open_emergency_access
from caseflow.extensions import db
from caseflow.timezones import to_local

bp = Blueprint("break_glass", __name__)


@bp.before_request
def _only_supervisors():
    """Supervisors and managers only; the role decides, before any password prompt or record (403 leaks nothing)."""
    if not can_break_glass(current_user):
        abort(403)


@bp.route("/emergency-access")
def index():
    grants = my_live_grants(current_user)
    if grants:
        record_event(
            current_user,
            "list",
            "participant",
            record_ids=sorted({g.participant_id for g in grants}),
            detail="own break-glass grants",
        )
    return render_and_commit("break_glass/index.html", grants=grants)


@bp.route("/emergency-access/new", methods=["GET", "POST"])
@fresh_auth_required(back="break_glass.new")  # asked before the reason is typed (S13)
def new():
    minutes = int(current_app.config["BREAK_GLASS_MINUTES"])
    if request.method == "POST" and request.form.get("prefill"):
        # From the search page's notice: carry the terms over in the POST body, check nothing yet.
        form = BreakGlassForm(formdata=None, q=(request.form.get("q") or "")[:80])
        return render_template("break_glass/new.html", form=form, minutes=minutes)
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            grants = open_emergency_access(current_user, form.q.data, form.reason.data, minutes=minutes)
        except NoEmergencyMatch as refused:
            # The refusal is recorded; the same 404 whether nobody or only a protected person matched.
            form.q.errors.append(str(refused))
            html = render_template("break_glass/new.html", form=form, minutes=minutes)
            db.session.commit()
            return html, (200 if refused.too_many else 404)
        db.session.commit()
        until = to_local(grants[0].expires_at).strftime("%H:%M")
        flash(f"Emergency access open until {until}, read-only. It is recorded with your reason.", "warning")
        if len(grants) == 1:
            return redirect(url_for("participants.show", participant_id=grants[0].participant_id))
        return redirect(url_for("break_glass.index"))
    return render_template("break_glass/new.html", form=form, minutes=minutes)
