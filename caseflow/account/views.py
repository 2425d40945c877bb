"""The account page: change your own password, set up two-step login, replace recovery codes.

Every route acts on the logged-in user; no user id is read from the URL or the form (S3).
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from caseflow.account.forms import EnrolmentForm, PasswordChangeForm
from caseflow.account.services import WrongPasswordError, change_own_password
from caseflow.auth.fresh import fresh_auth_required, mark_fresh
from caseflow.auth.services import PasswordPolicyError
from caseflow.auth.twofactor import (
    ISSUER,
    TwoFactorError,
    confirm_enrolment,
    grouped_secret,
    qr_code_data_uri,
    recovery_codes_left,
    regenerate_recovery_codes,
    start_enrolment,
)
from caseflow.extensions import db
from caseflow.forms_common import ActionForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _me():
    """The logged-in user as a plain model object (not the request proxy)."""
    return current_user._get_current_object()


@bp.route("", methods=["GET", "POST"])
def index():
    user = _me()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_own_password(user, form.current_password.data, form.new_password.data)
        except WrongPasswordError as exc:
            db.session.commit()  # the wrong guess counts toward the lockout
            form.current_password.errors.append(str(exc))
        except PasswordPolicyError as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
        else:
            db.session.commit()
            # The new session token ended every session; this one carries on under the new token.
            login_user(user)
            mark_fresh()
            flash("Password changed. Everywhere else you were logged in has been logged out.", "success")
            return redirect(url_for("account.index"))
    return render_template(
        "account/index.html",
        user=user,
        form=form,
        codes_left=recovery_codes_left(user) if user.has_two_factor else 0,
        action_form=ActionForm(),
    )


@bp.route("/two-factor", methods=["GET", "POST"])
# Whoever holds a stale session must not tie the account to their own phone (S13 style check).
@fresh_auth_required(methods=("POST",))
def two_factor():
    user = _me()
    form = EnrolmentForm()
    if user.has_two_factor:
        return render_template("account/two_factor.html", user=user, enabled=True, action_form=ActionForm())
    if user.totp_secret and form.validate_on_submit():
        try:
            codes = confirm_enrolment(user, form.code.data)
        except TwoFactorError as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Two-step login is on. From now on you log in with your password and a code.", "success")
            # Rendered, not redirected: the codes exist in plain text only in this one response.
            return render_template("account/recovery_codes.html", codes=codes)
    return render_template(
        "account/two_factor.html",
        user=user,
        enabled=False,
        form=form,
        action_form=ActionForm(),
        issuer=ISSUER,
        qr_code=qr_code_data_uri(user) if user.totp_secret else None,
        secret=grouped_secret(user) if user.totp_secret else None,
    )


@bp.route("/two-factor/start", methods=["POST"])
@fresh_auth_required(back="account.two_factor", methods=("POST",))
def two_factor_start():
    if ActionForm().validate_on_submit():
        try:
            start_enrolment(_me())
        except TwoFactorError as exc:
            db.session.rollback()
            flash(str(exc), "info")
        else:
            db.session.commit()
    return redirect(url_for("account.two_factor"))


@bp.route("/recovery-codes", methods=["POST"])
@fresh_auth_required(back="account.index", methods=("POST",))
def recovery_codes():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("account.index"))
    try:
        codes = regenerate_recovery_codes(_me())
    except TwoFactorError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("account.index"))
    db.session.commit()
    flash("New recovery codes made. The old ones no longer work.", "success")
    # Rendered, not redirected: the codes exist in plain text only in this one response.
    return render_template("account/recovery_codes.html", codes=codes)
