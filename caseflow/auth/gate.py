"""What a half-logged-in or not-yet-enrolled user may reach, checked before every request (S11)."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from caseflow.auth.pending import has_pending_login

# While a login waits for its second-factor code, this is the one page besides the public ones.
PENDING_LOGIN_ENDPOINTS = frozenset({"auth.login_code"})
# With two-step login required, an account that has not enrolled reaches only these until it has.
ENROLMENT_ENDPOINTS = frozenset({"account.two_factor", "account.two_factor_start", "auth.reauth", "auth.logout"})
ENROL_FIRST = "Set up two-step login to continue: every account needs it."


def pending_login_allowed() -> bool:
    """An anonymous visitor who gave a right password may reach the code page, and only it."""
    return request.endpoint in PENDING_LOGIN_ENDPOINTS and has_pending_login()


def enrolment_redirect():
    """Send a logged-in user without a second factor to enrolment when the deployment requires one."""
    if not current_app.config["REQUIRE_2FA"] or current_user.has_two_factor:
        return None
    if request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    flash(ENROL_FIRST, "info")
    return redirect(url_for("account.two_factor"))
