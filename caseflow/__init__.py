"""caseflow: case management for community violence intervention programs."""

import logging
import os
import uuid

from flask import Flask, abort, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine

from caseflow.crypto import init_app as init_encryption
from caseflow.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from caseflow.logsafe import install_log_safety

# Endpoints reachable without logging in. Everything else needs a session (S1).
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "bootstrap.static", "main.health"})
# All a law-enforcement partner may reach besides the public ones: aggregate figures only (S4),
# and their own account (password, two-step login), which shows nothing but their name and email.
PARTNER_ENDPOINTS = frozenset(
    {
        "main.home",
        "auth.logout",
        "auth.reauth",
        "deterrence.figures",
        "account.index",
        "account.two_factor",
        "account.two_factor_start",
        "account.recovery_codes",
    }
)
# Two years, in seconds: how long browsers remember to use HTTPS only (S15).
HSTS_MAX_AGE = 63_072_000

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build an app for one environment; no side effects beyond binding extensions and escaping log lines."""
    from config import CONFIGS

    # Process-wide and idempotent: every log record, from any library, gets CR/LF escaped (S36).
    install_log_safety()
    name = config_name or os.environ.get("CASEFLOW_ENV", "development")
    config_class = CONFIGS[name]
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.update(config_class.from_env())
    if overrides:
        app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]) or ".", exist_ok=True)
    _apply_database_timeouts(app)

    db.init_app(app)
    init_encryption(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    _register_blueprints(app)
    _register_request_hooks(app)
    _register_error_pages(app)
    _register_template_helpers(app)

    from caseflow.cli import register_cli

    register_cli(app)
    return app


def _apply_database_timeouts(app: Flask) -> None:
    """PostgreSQL: bounded waits, so a database that does not answer gives a 503, never a hang (S35).

    SQLite's equivalent is the busy timeout set on every connection (_sqlite_pragmas below).
    """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith(("postgresql", "postgres")):
        return
    # A copy: the class attribute is shared by every app built from the same config class.
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
    # A pooled connection to a host that vanished would otherwise wait out TCP retransmission (minutes).
    connect_args.setdefault("tcp_user_timeout", app.config["DATABASE_TCP_USER_TIMEOUT_MS"])
    connect_args.setdefault(
        "options",
        f"-c statement_timeout={app.config['DATABASE_STATEMENT_TIMEOUT_MS']}"
        f" -c lock_timeout={app.config['DATABASE_LOCK_TIMEOUT_MS']}"
        # JIT compiling costs seconds on the caseload's many correlated subqueries once the tables are
        # large enough for the planner to try it, to save milliseconds: off for an OLTP app (PERFORMANCE.md).
        " -c jit=off",
    )
    options["connect_args"] = connect_args
    options.setdefault("pool_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
    options.setdefault("pool_pre_ping", True)  # a connection the server dropped is replaced, not used
    # One connection per gunicorn thread, so workers × threads is the most caseflow ever opens (gunicorn.conf.py).
    options.setdefault("pool_size", app.config["DATABASE_POOL_SIZE"])
    options.setdefault("max_overflow", app.config["DATABASE_MAX_OVERFLOW"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _register_blueprints(app: Flask) -> None:
    from caseflow.account.views import bp as account_bp
    from caseflow.admin.views import bp as admin_bp
    from caseflow.audit.views import bp as audit_bp
    from caseflow.auth.views import bp as auth_bp
    from caseflow.breakglass.views import bp as break_glass_bp
    from caseflow.caseload.views import bp as caseload_bp
    from caseflow.cases.views import bp as cases_bp
    from caseflow.consents.views import bp as consents_bp
    from caseflow.dashboard.views import bp as dashboard_bp
    from caseflow.deterrence.views import bp as deterrence_bp
    from caseflow.hvip.views import bp as hvip_bp
    from caseflow.incidents.import_views import bp as incident_import_bp
    from caseflow.incidents.views import bp as incidents_bp
    from caseflow.main.views import bp as main_bp
    from caseflow.offline.views import bp as offline_bp
    from caseflow.outreach.views import bp as outreach_bp
    from caseflow.participants.views import bp as participants_bp
    from caseflow.plan.views import bp as plan_bp
    from caseflow.programs.views import bp as programs_bp
    from caseflow.providers.views import bp as providers_bp
    from caseflow.referrals.views import bp as referrals_bp
    from caseflow.reports.facesheet_views import bp as facesheet_bp
    from caseflow.reports.mapping_views import bp as report_mappings_bp
    from caseflow.reports.views import bp as reports_bp

    for bp in (
        main_bp,
        auth_bp,
        account_bp,
        participants_bp,
        break_glass_bp,
        cases_bp,
        referrals_bp,
        plan_bp,
        consents_bp,
        providers_bp,
        incidents_bp,
        incident_import_bp,
        hvip_bp,
        outreach_bp,
        deterrence_bp,
        programs_bp,
        caseload_bp,
        dashboard_bp,
        reports_bp,
        facesheet_bp,
        report_mappings_bp,
        admin_bp,
        audit_bp,
        offline_bp,
    ):
        app.register_blueprint(bp)


def current_request_id() -> str:
    """The correlation id of this request, made on first use (an error may come before any hook ran)."""
    return g.setdefault("request_id", uuid.uuid4().hex[:12])


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def require_login():
        """Deny by default: any endpoint not on the public allow-list needs a session."""
        from flask_login import current_user

        from caseflow.auth.gate import enrolment_redirect, pending_login_allowed

        current_request_id()
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            if pending_login_allowed():
                return None
            from caseflow.offline import is_sync_request, login_needed

            if is_sync_request():
                return login_needed()  # the offline script keeps the record and asks the person to log in
            return login_manager.unauthorized()
        if request.endpoint not in PARTNER_ENDPOINTS:
            from caseflow.permissions import is_partner_only

            if is_partner_only(current_user):
                abort(404)
        from caseflow.auth.sessions import enforce_session_limits

        # An ended session goes to the login page first; a live one without a second factor to enrolment (S11).
        return enforce_session_limits() or enrolment_redirect()

    @app.after_request
    def security_headers(response):
        """Baseline headers on every response; authenticated pages are never cached."""
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        if request.endpoint not in ("static", "bootstrap.static"):
            response.headers["Cache-Control"] = "no-store"
        elif request.endpoint == "static" and (request.view_args or {}).get("filename") == "sw.js":
            # The offline service worker lives under /static/ but must see the app's pages (scope "/").
            response.headers["Service-Worker-Allowed"] = "/"
        if app.config.get("SESSION_COOKIE_SECURE"):
            # Production runs on HTTPS only: browsers must never fall back to plain HTTP (S15).
            response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}; includeSubDomains")
        return response


def _register_error_pages(app: Flask) -> None:
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    from caseflow.outage import is_outage, outage_response

    def render_error(code: int, title: str, message: str):
        return (
            render_template(
                "errors/error.html",
                code=code,
                title=title,
                message=message,
                request_id=current_request_id(),
            ),
            code,
        )

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        """A stale token from the offline script gets JSON it can act on; a plain form a friendly 400 (S14)."""
        from caseflow.offline import csrf_failed, is_sync_request

        if is_sync_request():
            return csrf_failed()
        # The token is missing or stale: nothing was done, and the user can simply try again.
        return render_error(
            400,
            "Please try that again",
            "This form had expired or did not come from this site, so nothing was saved. "
            "Go back, reload the page and send it again.",
        )

    @app.errorhandler(400)
    def bad_request(_error):
        return render_error(400, "That did not work", "The request could not be used. Nothing was saved.")

    @app.errorhandler(403)
    def forbidden(_error):
        return render_error(403, "Not allowed", "Your account is not allowed to do that.")

    @app.errorhandler(404)
    def not_found(_error):
        return render_error(404, "Not found", "There is nothing here, or you do not have access to it.")

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_error(405, "Not allowed", "That action is not available here.")

    @app.errorhandler(409)
    def conflict(_error):
        return render_error(409, "Changed by someone else", "Someone else changed this record first.")

    @app.errorhandler(413)
    def too_large(_error):
        limit_mb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        return render_error(
            413, "That was too large", f"Uploads and forms may be at most {limit_mb} MB. Nothing was saved."
        )

    @app.errorhandler(429)
    def too_many_requests(_error):
        return render_error(
            429, "Too many attempts", "Too many login attempts from this network. Wait a minute and try again."
        )

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def database_unavailable(error):
        """Unreachable, locked or timed out: 503 keeping the user's input (S35); other database errors stay 500s."""
        if not is_outage(error):
            raise error
        return outage_response(error)

    @app.errorhandler(500)
    def server_error(_error):
        # Nothing half-done may be committed after a failure (S31).
        db.session.rollback()
        log.error("request %s failed", current_request_id())
        return render_error(500, "Something went wrong", "Nothing was saved. Please try again.")


def _register_template_helpers(app: Flask) -> None:
    from caseflow.auth.forms import LogoutForm
    from caseflow.models.case import CASE_STATUSES
    from caseflow.models.choices import label_of
    from caseflow.timezones import to_local

    app.jinja_env.globals["label_of"] = label_of
    app.jinja_env.globals["case_statuses"] = CASE_STATUSES

    @app.template_filter("localtime")
    def localtime(value):
        """A stored UTC time shown on the deployment's wall clock."""
        local = to_local(value)
        return local.strftime("%d %b %Y, %H:%M") if local else ""

    @app.template_filter("clocktime")
    def clocktime(value):
        """A stored UTC time as the hour and minute on the deployment's wall clock."""
        local = to_local(value)
        return local.strftime("%H:%M") if local else ""

    @app.template_filter("day")
    def day(value):
        """A date in one unambiguous format."""
        return value.strftime("%d %b %Y") if value else ""

    @app.context_processor
    def navigation():
        """The logout form, the user's programs by role (one query), and open security alerts for administrators."""
        from flask_login import current_user

        from caseflow.models.choices import CASEWORK_ROLES

        context = {
            # Never bound to the request: the body may be too large or unreadable on an error page.
            "logout_form": LogoutForm(formdata=None),
            "nav_supervised": [],
            "nav_managed": [],
            "nav_member": False,
            "nav_hvip": [],
            "nav_outreach": [],
            "nav_deterrence": [],
            "nav_partner": [],
            "nav_security_alerts": 0,
        }
        # During an outage (caseflow/outage.py) the user and the menu cannot be loaded: leave them out.
        if not g.get("database_unavailable") and current_user.is_authenticated:
            from caseflow.permissions import memberships

            rows = [(p, role) for p, role in memberships(current_user) if p.deleted_at is None]
            casework = [p for p, role in rows if role in CASEWORK_ROLES]
            context["nav_member"] = bool(casework)
            context["nav_supervised"] = [p for p, role in rows if role in ("supervisor", "manager")]
            context["nav_managed"] = [p for p, role in rows if role == "manager"]
            context["nav_hvip"] = [p for p in casework if p.kind == "hvip"]
            context["nav_outreach"] = [p for p in casework if p.kind == "street_outreach"]
            context["nav_deterrence"] = [p for p in casework if p.kind == "focused_deterrence"]
            context["nav_partner"] = [p for p, role in rows if role == "partner" and p.kind == "focused_deterrence"]
            if current_user.is_admin:
                from caseflow.admin.services import unacknowledged_alert_count

                context["nav_security_alerts"] = unacknowledged_alert_count()
        return context


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys, WAL, a busy timeout and secure delete on every connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Wait at most 3 s for another writer, so a locked database answers 503 within 5 s (S35).
    cursor.execute("PRAGMA busy_timeout=3000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Deleted content is overwritten with zeros, so a retention purge removes the bytes too (S26).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    # Local calendar days in SQL: SQLite borrows Python's zone database (see timezones.local_date_sql).
    from caseflow.timezones import SQLITE_LOCAL_DATE, sqlite_local_date

    dbapi_connection.create_function(SQLITE_LOCAL_DATE, 2, sqlite_local_date, deterministic=True)
