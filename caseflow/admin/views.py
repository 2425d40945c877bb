"""Administration pages: users, memberships, programs. Administrators only."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.admin.forms import MembershipForm, NewUserForm, ProgramForm
from caseflow.admin.services import (
    AdminRuleError,
    acknowledge_alert,
    add_membership,
    create_program,
    create_user,
    remove_membership,
    set_user_active,
)
from caseflow.auth.fresh import fresh_auth_required
from caseflow.auth.twofactor import TwoFactorError, recovery_codes_left, reset_two_factor
from caseflow.extensions import db
from caseflow.forms_common import ActionForm
from caseflow.models import Program, ProgramMembership, SecurityAlert, User
from caseflow.permissions import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _only_admins():
    """Every page here is for administrators."""


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
def users():
    rows = (
        db.session.execute(
            select(User)
            .order_by(User.full_name)
            .options(selectinload(User.memberships).selectinload(ProgramMembership.program))
        )
        .scalars()
        .all()
    )
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@fresh_auth_required()  # it can grant the administrator flag (S13); asked before anything is typed
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                is_admin=form.is_admin.data,
            )
        except AdminRuleError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Account for {user.full_name} created.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@fresh_auth_required(methods=("POST",))  # a role grant (S13)
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    form = MembershipForm()
    form.program_id.choices = [
        (p.id, p.name)
        for p in db.session.execute(
            select(Program).where(Program.deleted_at.is_(None)).order_by(Program.name)
        ).scalars()
    ]
    if form.validate_on_submit():
        program = db.session.get(Program, form.program_id.data) or abort(404)
        try:
            add_membership(current_user, user, program, form.role.data, bool(form.is_victim_services.data))
        except AdminRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Membership saved.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    memberships = (
        db.session.execute(
            select(ProgramMembership)
            .where(ProgramMembership.user_id == user.id, ProgramMembership.deleted_at.is_(None))
            .order_by(ProgramMembership.id)
        )
        .scalars()
        .all()
    )
    return render_template(
        "admin/user_detail.html",
        user=user,
        form=form,
        memberships=memberships,
        action_form=ActionForm(),
        codes_left=recovery_codes_left(user) if user.has_two_factor else 0,
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def toggle_active(user_id: int):
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        try:
            set_user_active(current_user, user, not user.is_active)
        except AdminRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"{user.full_name} is now {'active' if user.is_active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@fresh_auth_required(back="admin.user_detail", methods=("POST",))  # removes a login factor (S13)
def reset_user_two_factor(user_id: int):
    """A lost phone: remove the user's authenticator and recovery codes and end their sessions."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        try:
            reset_two_factor(current_user, user)
        except TwoFactorError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            again = " and will set it up again at their next login" if current_app.config["REQUIRE_2FA"] else ""
            flash(f"Two-step login reset for {user.full_name}: they were logged out everywhere{again}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/memberships/<int:membership_id>/remove", methods=["POST"])
def remove_membership_view(membership_id: int):
    membership = db.session.get(ProgramMembership, membership_id)
    if membership is None or membership.deleted_at is not None:
        abort(404)
    if ActionForm().validate_on_submit():
        remove_membership(current_user, membership)
        db.session.commit()
        flash("Membership removed.", "success")
    return redirect(url_for("admin.user_detail", user_id=membership.user_id))


@bp.route("/programs", methods=["GET", "POST"])
def programs():
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            create_program(
                current_user,
                name=form.name.data,
                kind=form.kind.data,
                organisation=form.organisation.data or "",
                contact_frequency_days=form.contact_frequency_days.data,
                caseload_target=form.caseload_target.data,
                workers_see_own_caseload_only=form.workers_see_own_caseload_only.data,
            )
        except AdminRuleError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Program created.", "success")
            return redirect(url_for("admin.programs"))
    rows = (
        db.session.execute(select(Program).where(Program.deleted_at.is_(None)).order_by(Program.name)).scalars().all()
    )
    return render_template("admin/programs.html", programs=rows, form=form)


@bp.route("/security-alerts")
def security_alerts():
    """Alerts newest first; the accounts they are about, ids and counts, never a participant (S7, S22)."""
    only_open = request.args.get("show") == "open"
    stmt = (
        select(SecurityAlert)
        .options(selectinload(SecurityAlert.user), selectinload(SecurityAlert.acknowledged_by))
        .order_by(SecurityAlert.created_at.desc(), SecurityAlert.id.desc())
    )
    if only_open:
        stmt = stmt.where(SecurityAlert.acknowledged_at.is_(None))
    page = db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config.get("PAGE_SIZE", 25),
        error_out=False,
    )
    return render_template("admin/security_alerts.html", page=page, only_open=only_open, action_form=ActionForm())


@bp.route("/security-alerts/<int:alert_id>/acknowledge", methods=["POST"])
def acknowledge_security_alert(alert_id: int):
    alert = db.session.get(SecurityAlert, alert_id) or abort(404)
    if ActionForm().validate_on_submit():
        if acknowledge_alert(current_user, alert):
            db.session.commit()
            flash("Alert acknowledged.", "success")
        else:
            db.session.rollback()
            flash("Another administrator had already acknowledged that alert.", "info")
    show = "open" if request.args.get("show") == "open" else None
    return redirect(url_for("admin.security_alerts", show=show))
