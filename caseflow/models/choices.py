"""Enumerations stored as short strings: values for CHECK constraints, labels for forms."""


def values(choices) -> list[str]:
    """The stored values of a (value, label) list."""
    return [value for value, _ in choices]


def label_of(choices, value) -> str:
    """The label for a stored value, falling back to the value itself."""
    return dict(choices).get(value, value or "")


PROGRAM_KINDS = [
    ("street_outreach", "Street outreach"),
    ("hvip", "Hospital-based violence intervention"),
    ("focused_deterrence", "Focused deterrence"),
]

ROLES = [
    ("worker", "Worker"),
    ("supervisor", "Supervisor"),
    ("manager", "Manager"),
    # A law-enforcement partner of a focused deterrence program: aggregate figures only, no case data.
    ("partner", "Law-enforcement partner"),
]
# The roles that do casework and so may see case data; "partner" is deliberately not one.
CASEWORK_ROLES = ("worker", "supervisor", "manager")

GENDERS = [
    ("male", "Male"),
    ("female", "Female"),
    ("transgender_male", "Transgender male"),
    ("transgender_female", "Transgender female"),
    ("non_binary", "Non-binary"),
    ("another", "Another gender"),
    ("not_reported", "Not reported"),
]

# The federal minimum race and ethnicity categories; more than one may be recorded,
# and none recorded reads as "not reported".
RACE_ETHNICITIES = [
    ("american_indian_alaska_native", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black", "Black or African American"),
    ("hispanic_latino", "Hispanic or Latino"),
    ("middle_eastern_north_african", "Middle Eastern or North African"),
    ("native_hawaiian_pacific_islander", "Native Hawaiian or Pacific Islander"),
    ("white", "White"),
]

ALIAS_KINDS = [("alias", "Alias"), ("street_name", "Street name"), ("nickname", "Nickname")]

RISK_LEVELS = [("low", "Low"), ("moderate", "Moderate"), ("high", "High"), ("very_high", "Very high")]

REFERRAL_SOURCES = [
    ("emergency_department", "Emergency department"),
    ("self", "Self"),
    ("family", "Family"),
    ("community", "Community"),
    ("school", "School"),
    ("probation_court", "Probation / court"),
    ("police", "Police"),
    ("other_program", "Other program"),
    ("other", "Other"),
]

CONTACT_MODES = [
    ("in_person", "In person"),
    ("phone", "Phone"),
    ("text", "Text"),
    ("video", "Video"),
    ("home_visit", "Home visit"),
    ("hospital_bedside", "Hospital bedside"),
    ("court", "Court"),
    ("other", "Other"),
]

CONTACT_TYPES = [
    ("check_in", "Check-in"),
    ("crisis_response", "Crisis response"),
    ("conflict_related", "Conflict-related"),
    ("service_navigation", "Service navigation"),
    ("family_support", "Family support"),
]

SERVICE_CATEGORIES = [
    ("housing", "Housing"),
    ("employment", "Employment"),
    ("education", "Education"),
    ("mental_health", "Mental health"),
    ("substance_use", "Substance use"),
    ("legal", "Legal"),
    ("medical", "Medical"),
    ("relocation", "Relocation"),
    ("victim_compensation", "Victim compensation"),
    ("basic_needs", "Basic needs"),
    ("benefits", "Benefits"),
    ("mentoring", "Mentoring"),
]

REFERRAL_STATUSES = [
    ("referred", "Referred"),
    ("scheduled", "Scheduled"),
    ("connected", "Connected"),
    ("completed", "Completed"),
    ("declined", "Declined"),
    ("no_show", "No-show"),
    ("unable_to_reach", "Unable to reach"),
]

GOAL_DOMAINS = [
    ("safety", "Safety"),
    ("housing", "Housing"),
    ("employment", "Employment"),
    ("education", "Education"),
    ("health", "Health"),
    ("legal", "Legal"),
    ("family", "Family"),
]

GOAL_STATUSES = [("open", "Open"), ("met", "Met"), ("not_met", "Not met"), ("dropped", "Dropped")]

OUTCOME_TYPES = [
    ("employment_started", "Employment started"),
    ("school_enrolled", "School enrolled"),
    ("housing_secured", "Housing secured"),
    ("re_injured", "Re-injured"),
    ("arrested", "Arrested"),
    ("incarcerated", "Incarcerated"),
    ("victimized", "Victimized"),
    ("deceased", "Deceased"),
    ("program_completed", "Program completed"),
]

CONSENT_CATEGORIES = [
    ("identity", "Identity and contact details"),
    ("case_summary", "Case summary and services"),
    ("health", "Health and injury information"),
    ("justice", "Justice involvement"),
    ("narratives", "Case notes"),
]

CLOSURE_REASONS = [
    ("goals_met", "Goals met"),
    ("lost_contact", "Lost contact"),
    ("moved", "Moved away"),
    ("declined_further", "Declined further services"),
    ("incarcerated", "Incarcerated"),
    ("deceased", "Deceased"),
    ("transferred", "Transferred to another program"),
    ("other", "Other"),
]


class ContactLabels:
    """A contact's coded fields as words, shared by the model and the case page's timeline rows."""

    __slots__ = ()

    @property
    def mode_label(self) -> str:
        return label_of(CONTACT_MODES, self.mode)

    @property
    def type_label(self) -> str:
        return label_of(CONTACT_TYPES, self.contact_type)


class ReferralLabels:
    """A referral's coded fields as words, shared by the model and the case page's timeline rows."""

    __slots__ = ()

    @property
    def category_label(self) -> str:
        return label_of(SERVICE_CATEGORIES, self.service_category)

    @property
    def status_label(self) -> str:
        return label_of(REFERRAL_STATUSES, self.status)


class GoalLabels:
    """A goal's coded fields as words, shared by the model and the case page's timeline rows."""

    __slots__ = ()

    @property
    def domain_label(self) -> str:
        return label_of(GOAL_DOMAINS, self.domain)

    @property
    def status_label(self) -> str:
        return label_of(GOAL_STATUSES, self.status)
