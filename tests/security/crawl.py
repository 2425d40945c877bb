"""Crawling for the security tests: every page a user reaches, every route filled with chosen ids.

Builds on tests/crawler.py (same link rules) and adds what these tests need: image sources and
file downloads are followed, PDFs are read as text, and each id-bearing route is tried with the
ids of records of the right kind (a case route with case ids, a contact route with contact ids).
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser

from flask import Flask
from pypdf import PdfReader

from caseflow.models import (
    Assessment,
    CallIn,
    Case,
    ClosureRequest,
    CompensationClaim,
    Consent,
    Contact,
    FollowUp,
    Goal,
    GroupAffiliation,
    Incident,
    IncidentPerson,
    Injury,
    Instrument,
    Mediation,
    MediationPerson,
    MergeRequest,
    Notification,
    Outcome,
    OutreachActivity,
    Participant,
    Program,
    ProgramCriterion,
    ProgramMembership,
    Referral,
    ReportRun,
    SecurityAlert,
    ServiceProvider,
    ShootingResponse,
    User,
)
from caseflow.softdelete import KINDS as RESTORE_KINDS
from tests.crawler import _local_path

LINK = re.compile(r"""(?:href|action|src)="([^"#]*)""")
# An id no table reaches: what "not there" looks like, to compare "not yours" against.
MISSING_ID = 987_654_321

# Which model each URL argument names; the same name means the same model on every route...
ARG_MODELS = {
    "activity_id": OutreachActivity,
    "alert_id": SecurityAlert,
    "affiliation_id": GroupAffiliation,
    "assessment_id": Assessment,
    "call_in_id": CallIn,
    "case_id": Case,
    "claim_id": CompensationClaim,
    "consent_id": Consent,
    "contact_id": Contact,
    "criterion_id": ProgramCriterion,
    "follow_up_id": FollowUp,
    "goal_id": Goal,
    "incident_id": Incident,
    "injury_id": Injury,
    "instrument_id": Instrument,
    "mediation_id": Mediation,
    "membership_id": ProgramMembership,
    "notification_id": Notification,
    "outcome_id": Outcome,
    "participant_id": Participant,
    "program_id": Program,
    "provider_id": ServiceProvider,
    "referral_id": Referral,
    "response_id": ShootingResponse,
    "run_id": ReportRun,
    "user_id": User,
}
# ...except these, where the endpoint decides.
ENDPOINT_ARG_MODELS = {
    ("cases.decide_closure", "request_id"): ClosureRequest,
    ("participants.return_merge_request_view", "request_id"): MergeRequest,
    ("incidents.unlink", "link_id"): IncidentPerson,
    ("outreach.unlink_mediation_person", "link_id"): MediationPerson,
}
# Text arguments and the values worth trying.
TEXT_ARGS = {
    ("audit.record_viewers", "record_type"): ("participant", "case"),
    ("cases.restore", "kind"): tuple(RESTORE_KINDS),
    ("dashboard.chart", "name"): ("enrollments", "caseload", "contacts", "referrals", "outcomes"),
}
TEXT_ARG_MODELS = {
    ("audit.record_viewers", "participant"): Participant,
    ("audit.record_viewers", "case"): Case,
    **{("cases.restore", kind): model for kind, model in RESTORE_KINDS.items()},
}
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}


@dataclass
class Page:
    status: int
    mimetype: str
    text: str
    headers: dict


def text_of(response) -> str:
    """What a person would read in a response: PDFs as their extracted text, anything else decoded."""
    data = response.get_data()
    if response.mimetype == "application/pdf" and data.startswith(b"%PDF"):
        try:
            extracted = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        except Exception:  # noqa: BLE001 - a file that is not a real PDF is read as bytes below
            extracted = ""
        return extracted + "\n" + data.decode("latin-1")
    return data.decode("utf-8", errors="replace")


def fetch(client, path: str) -> Page:
    response = client.get(path)
    return Page(response.status_code, response.mimetype, text_of(response), dict(response.headers))


def crawl(client, start: str = "/", limit: int = 600, pages: dict | None = None) -> dict[str, Page]:
    """Every page reachable from start by links, form actions and image sources: path -> Page.

    Redirects are followed as separate pages, so each URL the browser would visit is recorded.
    """
    pages = {} if pages is None else pages
    queue = [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages:
            continue
        page = fetch(client, path)
        pages[path] = page
        targets = []
        if page.status in (301, 302, 303) and page.headers.get("Location"):
            targets.append(page.headers["Location"])
        if page.mimetype == "text/html":
            targets.extend(LINK.findall(page.text))
        for href in targets:
            target = _local_path(path, href)
            if target and target not in pages and target != "/logout":
                queue.append(target)
    return pages


def arg_model(endpoint: str, arg: str):
    return ENDPOINT_ARG_MODELS.get((endpoint, arg)) or ARG_MODELS.get(arg)


def fill(rule, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def rules(app: Flask, method: str) -> list:
    """The app's rules taking method, static files left out."""
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint not in SKIPPED_ENDPOINTS),
        key=lambda r: r.rule,
    )


def unmapped_arguments(app: Flask) -> list[tuple[str, str]]:
    """Route arguments this module cannot fill: a new route must be added to the tables above."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        text_values = [v for a in rule.arguments for v in TEXT_ARGS.get((rule.endpoint, a), ())]
        by_text = bool(text_values) and all((rule.endpoint, v) in TEXT_ARG_MODELS for v in text_values)
        for arg in rule.arguments:
            if (rule.endpoint, arg) in TEXT_ARGS or arg_model(rule.endpoint, arg) is not None:
                continue
            if not by_text:
                missing.append((rule.endpoint, arg))
    return missing


def substitutions(rule, ids_for) -> Iterable[tuple[str, str, str]]:
    """(path, what, baseline) for one rule: each argument in turn takes each id ids_for(model) gives.

    ids_for(model) -> (chosen ids, a visible id or None); the other arguments take the visible id.
    "what" names the substituted argument and id; baseline is the same path with that argument set to
    an id no record has, which is what the chosen id must look like when it is not the user's.
    """
    text_arg = next((a for a in rule.arguments if (rule.endpoint, a) in TEXT_ARGS), None)
    for text_value in TEXT_ARGS[(rule.endpoint, text_arg)] if text_arg else (None,):
        models = {}
        for arg in rule.arguments:
            if arg != text_arg:
                models[arg] = TEXT_ARG_MODELS.get((rule.endpoint, text_value)) or arg_model(rule.endpoint, arg)
        visible = {arg: ids_for(model)[1] or MISSING_ID for arg, model in models.items()}
        if text_arg:
            visible[text_arg] = text_value
        for arg, model in models.items():
            for record_id in ids_for(model)[0]:
                yield (
                    fill(rule, {**visible, arg: record_id}),
                    f"{arg}={record_id}",
                    fill(rule, {**visible, arg: MISSING_ID}),
                )


def filled(rule, id_for) -> str:
    """The rule with the first text value and, for each id argument, id_for(model) (a made-up id if None)."""
    text_arg = next((a for a in rule.arguments if (rule.endpoint, a) in TEXT_ARGS), None)
    text_value = TEXT_ARGS[(rule.endpoint, text_arg)][0] if text_arg else None
    values = {}
    for arg in rule.arguments:
        if arg == text_arg:
            values[arg] = text_value
        else:
            model = TEXT_ARG_MODELS.get((rule.endpoint, text_value)) or arg_model(rule.endpoint, arg)
            values[arg] = id_for(model) or MISSING_ID
    return fill(rule, values)


def missing_path(rule) -> str:
    """The rule with an id nobody has in every id argument (and the first text value)."""
    values = {}
    for arg in rule.arguments:
        if (rule.endpoint, arg) in TEXT_ARGS:
            values[arg] = TEXT_ARGS[(rule.endpoint, arg)][0]
        else:
            values[arg] = MISSING_ID
    return fill(rule, values)


# --- forms: what a browser would send ---------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]]  # (name, value) pairs as a browser sends them; names may repeat
    filled: set[str] = field(default_factory=set)  # fields that were empty on the page and got a plausible value

    def data(self, *, as_rendered: bool = False, **overrides) -> dict:
        """The fields as a dict of lists (for MultiDict), with overrides replacing whole fields.

        Empty text fields carry a plausible value so create forms pass validation; as_rendered sends
        them empty, as an untouched edit form would.
        """
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append("" if as_rendered and name in self.filled else value)
        for name, value in overrides.items():
            if value is None:
                out.pop(name, None)
            else:
                out[name] = value if isinstance(value, list) else [str(value)]
        return out


def _filler(input_type: str, name: str) -> str:
    """A plausible value for an empty field, so the form passes its validation where it can."""
    now = datetime.now() - timedelta(days=1)
    if input_type == "date" or name.endswith(("_on", "date_from", "date_to")) or name in ("start", "end"):
        return now.date().isoformat()
    if input_type == "datetime-local" or name.endswith("_at"):
        return now.strftime("%Y-%m-%dT%H:%M")
    if input_type == "number":
        return "2"
    if input_type == "email":
        return "someone@example.org"
    if input_type == "tel" or "phone" in name:
        return "555-0199"
    if input_type == "password":
        return "violet harbor lantern folding maps"
    return "Plain words"


class _FormParser(HTMLParser):
    """Collects forms: inputs, selects (selected or first real option), textareas and the first submit button."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: tuple[str, list[str]] | None = None
        self._submitted = False
        self._radios: set[str] = set()
        self._boxes: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), [], set())
            self._submitted, self._radios, self._boxes = False, set(), {}
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                if not self._submitted:
                    self._form.fields.append((name, a.get("value", "")))
                    self._submitted = True
            elif kind == "checkbox":
                if a.get("id", name) != name:  # one option of a list (id "name-0"), not a yes/no box
                    self._boxes.setdefault(name, []).append(a.get("value", "y"))
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "y")))
            elif kind == "radio":
                if "checked" in a or name not in self._radios:
                    self._form.fields = [(n, v) for n, v in self._form.fields if n != name]
                    self._form.fields.append((name, a.get("value", "")))
                    self._radios.add(name)
            elif a.get("value") or kind == "hidden":
                self._form.fields.append((name, a.get("value", "")))
            else:
                self._form.fields.append((name, _filler(kind, name)))
                self._form.filled.add(name)
        elif tag == "button" and name and a.get("type", "submit") == "submit" and not self._submitted:
            self._form.fields.append((name, a.get("value", "")))
            self._submitted = True
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, options, selected = self._select
            real = [o for o in options if o]
            # A "— choose —" placeholder left selected is what a person would change: take the first real option.
            chosen = [v for v in selected if v] or real[:1]
            for value in chosen:
                self._form.fields.append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).strip() or "Plain words"))
            self._textarea = None
        elif tag == "form":
            # A list of checkboxes with none ticked gets its first ticked, as someone must choose one;
            # a lone checkbox is a yes/no question and stays as it was.
            ticked = {name for name, _ in self._form.fields}
            for name, values in self._boxes.items():
                if name not in ticked:
                    self._form.fields.append((name, values[0]))
            self.forms.append(self._form)
            self._form = None


def forms_in(html: str, page_path: str) -> list[Form]:
    """The POST forms of a page, with their actions made absolute paths."""
    parser = _FormParser()
    parser.feed(html)
    found = []
    for form in parser.forms:
        if form.method != "post":
            continue
        action = _local_path(page_path, form.action) if form.action else page_path
        if action:
            found.append(Form(action, "post", form.fields, form.filled))
    return found


def endpoint_of(app: Flask, path: str, method: str = "POST") -> str | None:
    """The endpoint a path and method route to, or None."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path.split("?", 1)[0], method=method)
    except Exception:  # noqa: BLE001 - not found, method not allowed or a redirect: no endpoint
        return None
    return endpoint


# Forms that end or hide a record go last in a sweep, so the records stay there for the other forms;
# those that end a whole case, incident or person go very last.
DESTRUCTIVE = re.compile(r"delete|revoke|unlink|remove|restore|decide|status|reopen|active|merge|return")
FINAL = frozenset({"cases.delete_case", "cases.change_status", "cases.decide_closure", "incidents.delete"})


def _sweep_order(endpoint: str) -> tuple[int, str]:
    return (2 if endpoint in FINAL else 1 if DESTRUCTIVE.search(endpoint) else 0, endpoint)


def forms_by_endpoint(app: Flask, pages: dict[str, Page]) -> dict[str, list[Form]]:
    """The POST forms found on crawled pages, grouped by the endpoint they post to (logging out left out).

    The dict is ordered: forms that create or edit first, forms that delete, close or merge last.
    """
    found: dict[str, list[Form]] = {}
    seen = set()
    for path, page in pages.items():
        if page.status != 200 or page.mimetype != "text/html":
            continue
        for form in forms_in(page.text, path):
            key = (form.action, tuple(name for name, _ in form.fields))
            endpoint = endpoint_of(app, form.action)
            if endpoint and endpoint != "auth.logout" and key not in seen:
                seen.add(key)
                found.setdefault(endpoint, []).append(form)
    return dict(sorted(found.items(), key=lambda item: _sweep_order(item[0])))
