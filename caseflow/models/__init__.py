"""All models, imported here so metadata (and Alembic) sees every table."""

from caseflow.models.alert import ALERT_KINDS, SecurityAlert
from caseflow.models.audit import AuditEvent
from caseflow.models.breakglass import BreakGlassGrant
from caseflow.models.case import CASE_STATUSES, CASE_TRANSITIONS, Case, CaseStatusChange, can_transition
from caseflow.models.casework import CaseAssignment, ClosureRequest, FormSubmission, MergeRequest, ParticipantMerge
from caseflow.models.consent import Consent, ConsentCategory
from caseflow.models.contact import Contact
from caseflow.models.deterrence import (
    ATTENDANCE,
    NOTIFICATION_TRIGGERS,
    SPEAKER_SECTORS,
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    DeterrenceGroup,
    GroupAffiliation,
    Notification,
)
from caseflow.models.hvip import (
    CARE_LEVELS,
    COMPENSATION_STATUSES,
    FUNNEL_STAGES,
    INJURY_MECHANISMS,
    CompensationClaim,
    Injury,
)
from caseflow.models.incident import (
    INCIDENT_KINDS,
    INCIDENT_ROLES,
    INCIDENT_SOURCES,
    INCIDENT_STATUSES,
    Incident,
    IncidentPerson,
)
from caseflow.models.instrument import Instrument, InstrumentItem
from caseflow.models.intake import ProgramCriterion, ProgramReferralSource, Screening, ScreeningAnswer
from caseflow.models.outreach import (
    ACTIVITY_KINDS,
    MEDIATION_OUTCOMES,
    MEDIATION_SOURCES,
    RESPONSE_LOCATIONS,
    VIOLENCE_RISKS,
    FollowUp,
    Mediation,
    MediationPerson,
    OutreachActivity,
    ShootingResponse,
)
from caseflow.models.participant import Participant, ParticipantAlias, ParticipantRaceEthnicity, ParticipantSearchKey
from caseflow.models.plan import Assessment, AssessmentAnswer, Goal, Outcome
from caseflow.models.program import Program, ProgramMembership
from caseflow.models.provider import ProviderCategory, ServiceProvider
from caseflow.models.referral import REFERRAL_TRANSITIONS, Referral, ReferralStatusChange
from caseflow.models.report import REPORT_FORMATS, ReportRun
from caseflow.models.reportmap import REPORT_MAPPINGS, ReportMapping
from caseflow.models.user import RecoveryCode, User

__all__ = [
    "ACTIVITY_KINDS",
    "ALERT_KINDS",
    "ATTENDANCE",
    "Assessment",
    "AssessmentAnswer",
    "AuditEvent",
    "BreakGlassGrant",
    "CARE_LEVELS",
    "CASE_STATUSES",
    "CASE_TRANSITIONS",
    "COMPENSATION_STATUSES",
    "CallIn",
    "CallInInvitee",
    "CallInServiceRequest",
    "Case",
    "CaseAssignment",
    "CaseStatusChange",
    "ClosureRequest",
    "CompensationClaim",
    "Consent",
    "ConsentCategory",
    "Contact",
    "DeterrenceGroup",
    "FUNNEL_STAGES",
    "FollowUp",
    "FormSubmission",
    "Goal",
    "GroupAffiliation",
    "INCIDENT_KINDS",
    "INCIDENT_ROLES",
    "INCIDENT_SOURCES",
    "INCIDENT_STATUSES",
    "INJURY_MECHANISMS",
    "Incident",
    "IncidentPerson",
    "Injury",
    "Instrument",
    "InstrumentItem",
    "MEDIATION_OUTCOMES",
    "MEDIATION_SOURCES",
    "Mediation",
    "MergeRequest",
    "MediationPerson",
    "NOTIFICATION_TRIGGERS",
    "Notification",
    "Outcome",
    "OutreachActivity",
    "Participant",
    "ParticipantAlias",
    "ParticipantMerge",
    "ParticipantRaceEthnicity",
    "ParticipantSearchKey",
    "Program",
    "ProgramCriterion",
    "ProgramMembership",
    "ProgramReferralSource",
    "ProviderCategory",
    "REFERRAL_TRANSITIONS",
    "REPORT_FORMATS",
    "REPORT_MAPPINGS",
    "RESPONSE_LOCATIONS",
    "RecoveryCode",
    "Referral",
    "ReferralStatusChange",
    "ReportMapping",
    "ReportRun",
    "SPEAKER_SECTORS",
    "Screening",
    "ScreeningAnswer",
    "SecurityAlert",
    "ServiceProvider",
    "ShootingResponse",
    "User",
    "VIOLENCE_RISKS",
    "can_transition",
]
