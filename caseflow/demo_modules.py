"""Demo records for the street outreach and focused deterrence modules, built on the cases seed_demo planned.

Each function draws on its own seeded stream, so adding these records leaves every other demo record as it was.
Nothing happens later than yesterday; only follow-ups still to do may fall due from today on.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from caseflow.demo import AREAS, HISTORY_DAYS, _at, _days, _pick
from caseflow.extensions import db
from caseflow.models import (
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    DeterrenceGroup,
    FollowUp,
    GroupAffiliation,
    Incident,
    Mediation,
    MediationPerson,
    Notification,
    OutreachActivity,
    Participant,
    Program,
    Referral,
    ShootingResponse,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.timezones import to_local, to_utc

# The data tables below are laid out by hand for reading; the formatter would put one item per line.
# fmt: off
# Fictional crews; the focused deterrence program knows six of them by name and area.
DETERRENCE_GROUPS = [
    ("Eastgate Boys", "Eastgate"), ("Mill Street Crew", "Mill District"), ("Cedar Park YB", "Cedar Park"),
    ("Hollow Boys", "Oak Hollow"), ("Pointside", "Harbor Point"), ("4th Avenue", "Lincoln Heights"),
]
OTHER_CREWS = ["Riverside Clique", "North Block", "Westbrook Youngins", "Flats Boys", "the 19th Street group"]

MEDIATION_SOURCE_WEIGHTS = [("tip", 45), ("incident", 15), ("social_media", 20), ("release", 12), ("other", 8)]
MEDIATION_ACTIONS = [
    "Met both sides separately, then together at the rec center; agreed to stay off each other's blocks.",
    "Talked with the older brothers on both sides; they agreed to call off any retaliation.",
    "Brought in a respected elder from the block; cooling-off agreement for two weeks.",
    "Got the posts taken down; both sides agreed to stop posting about each other.",
    "Walked the young men home and checked in with their families that night.",
    "Arranged for one party to stay with relatives out of the area for a few days.",
    "Mediated by phone, then met in person the next day; the debt over a car was settled.",
    "Set up daily check-ins with both parties' outreach workers for the next week.",
    "Met at the barbershop with both sides' friends; agreed the dispute over a girlfriend ends here.",
    "Calmed the group outside the store before it escalated; follow-up meeting set for Friday.",
]
RESPONSE_NOTES = {
    "scene": [
        "At the scene within the hour; talked the victim's friends out of going after anyone.",
        "Walked the block after the shooting; rumours point to an old dispute.",
        "On scene with police tape still up; kept the young men on the corner calm.",
    ],
    "hospital": [
        "Met family in the trauma unit waiting room; helped them talk to the nurses.",
        "Hospital visit; the victim's friends were talking about retaliation, stayed with them for two hours.",
        "Bedside with the HVIP team; victim agreed to talk again after discharge.",
    ],
    "family": [
        "Visited the family at home; offered help with funeral costs and victim services.",
        "Sat with the mother; younger brother is angry, set up a check-in for tomorrow.",
    ],
    "vigil": [
        "Attended the vigil; kept the crowd calm and listened for talk of retaliation.",
        "Helped the family organise the vigil; no trouble, several young men asked for help.",
    ],
}
ACTIVITY_TEXTS = {
    "canvassing": [
        "Evening canvass with flyers for the summer jobs program.",
        "Walked the blocks around the park after last week's shooting; talked with residents.",
        "Door-knocking with peace-week flyers.",
        "Canvass near the high school at dismissal.",
        "Corner-to-corner walk with the violence interrupters; handed out program cards.",
    ],
    "community_event": [
        "Block party with free food and a DJ; sign-ups for job training.",
        "Back-to-school backpack giveaway.",
        "Three-on-three basketball tournament at the rec center.",
        "Peace walk with families who lost someone to gun violence.",
        "Holiday meal giveaway at the community center.",
    ],
    "norm_change": [
        "Workshop with young men on handling conflict without guns.",
        "Social media campaign: 'Retaliation is not respect'.",
        "Talk at a high school assembly about retaliation and grief.",
        "Post-shooting rally with faith leaders on the corner where it happened.",
    ],
    "other": [
        "De-escalation training for new volunteers.",
        "Meeting with block club presidents about summer safety.",
    ],
}
# (staff minutes in half hours (low, high), people reached (low, high)) per kind of activity.
ACTIVITY_SIZES = {
    "canvassing": ((4, 12), (20, 90)), "community_event": ((8, 32), (60, 350)),
    "norm_change": ((3, 12), (15, 120)), "other": ((2, 6), (8, 30)),
}
FOLLOW_UP_PARENTS = {"mediation": "mediation_id", "response": "shooting_response_id", "notification": "notification_id"}
FOLLOW_UP_NOTES = {
    "mediation": ["Check the agreement is holding.", "Meet both sides again.", "Call the family.",
                  "Check in at the rec center."],
    "response": ["Check on the family.", "Visit the victim after discharge.", "Listen for retaliation talk.",
                 "Help with the victim compensation form."],
    "notification": ["Follow up on the job training offer.", "Call about the legal aid appointment.",
                     "Check in with mother.", "Second visit with the outreach worker."],
}

CALL_IN_VENUES = [
    "Eastgate Community Center, main hall", "Greater Hope Baptist Church", "Lincoln Heights Library, room B",
    "City Hall council chambers", "Westbrook Park field house",
]
CALL_IN_NOTES = [
    "Message delivered: the violence stops now; the offer of help stands.",
    "Mothers who lost sons spoke first; several attendees stayed to talk to service staff.",
    "Probation officers attended; service tables for jobs, school and housing after the meeting.",
    "",
]
FD_SERVICE_WEIGHTS = [
    ("employment", 30), ("education", 12), ("legal", 14), ("housing", 10), ("substance_use", 6),
    ("mental_health", 8), ("mentoring", 8), ("basic_needs", 5), ("benefits", 4), ("relocation", 3),
]
NOTIFICATION_TRIGGER_WEIGHTS = [("incident", 35), ("ongoing_dispute", 30), ("release", 25), ("other", 10)]
DELIVERED_NOTES = [
    "Delivered at home with his grandmother present; offered job training.",
    "Delivered with the outreach worker and a pastor; talked about the risk of retaliation.",
    "Delivered at the probation office; offer of help explained.",
    "Delivered on the porch with mother; she asked about school options.",
    "",
]
UNDELIVERED_NOTES = [
    "Not at the address; left word with family to call.",
    "Family says he moved; new address unknown.",
    "Refused to come to the door.",
]
# fmt: on


def _local_day(at: datetime) -> date:
    """The program's calendar day of a stored UTC time."""
    return to_local(at).date()


def _status_on(plan, on: date) -> str | None:
    """The case's status at the end of a day (None before its referral)."""
    status = None
    for day, _, new, _ in plan.history:
        if day > on:
            break
        status = new
    return status


def _open_on(plan, on: date) -> bool:
    """Whether the case was open (referred to inactive) at the end of a day."""
    return _status_on(plan, on) in OPEN_STATUSES


def _follow_ups(
    rng: random.Random, kind: str, parent_id: int, after: date, by: int | None, last: date, chance: float
) -> list[FollowUp]:
    """Follow-ups on some records, and on every recent one: done when long past, a few overdue, recent ones due."""
    recent = (last - after).days < 30
    if not recent and rng.random() >= chance:
        return []
    rows = []
    due_on = after
    for _ in range(rng.choice((1, 2)) if recent else 1):
        due_on += _days(rng.choice((2, 3, 7, 7, 14, 14, 30)))
        follow_up = FollowUp(
            due_on=due_on,
            note=rng.choice(FOLLOW_UP_NOTES[kind]),
            created_by_id=by,
            **{FOLLOW_UP_PARENTS[kind]: parent_id},
        )
        # Overdue ones are recent misses; older follow-ups were all done by now.
        if due_on <= last and (due_on < last - _days(45) or rng.random() < 0.6):
            follow_up.done_on = min(last, max(after, due_on + _days(rng.randint(-2, 3))))
        rows.append(follow_up)
    return rows


def seed_outreach(
    rng: random.Random, program: Program, staff: list[int], holders: list, incidents: list[Incident], last: date
) -> dict[str, int]:
    """Mediations (some with enrolled people), responses to most shootings and community activity; flushed."""
    start = last - _days(HISTORY_DAYS)
    mediations: list[Mediation] = []
    links: list[tuple[Mediation, list]] = []

    # About a quarter of mediations follow a shooting in the register by a day or two.
    usable = [i for i in incidents if start <= _local_day(i.occurred_at) <= last - _days(2)]
    prompted = rng.sample(usable, min(len(usable), 18))
    for n in range(70):
        incident = prompted[n] if n < len(prompted) else None
        if incident is not None:
            on = _local_day(incident.occurred_at) + _days(rng.randint(1, 2))
            area, identified_by = incident.area, "incident"
        else:
            on = last - _days(rng.randint(0, HISTORY_DAYS))
            area, identified_by = rng.choice(AREAS), _pick(rng, MEDIATION_SOURCE_WEIGHTS)
        weapons = rng.random() < 0.3
        risk = _pick(
            rng,
            [("low", 5), ("moderate", 35), ("high", 60)] if weapons else [("low", 20), ("moderate", 50), ("high", 30)],
        )
        recent = (last - on).days < 21
        outcome = _pick(
            rng,
            [("resolved", 25), ("temporarily_resolved", 30), ("ongoing", 40), ("violence_occurred", 5)]
            if recent
            else [("resolved", 52), ("temporarily_resolved", 30), ("ongoing", 9), ("violence_occurred", 9)],
        )
        groups = ""
        if rng.random() < 0.5:
            crews = rng.sample([name for name, _ in DETERRENCE_GROUPS] + OTHER_CREWS, 2)
            groups = rng.choice(
                [f"{crews[0]} and {crews[1]}", f"{crews[0]}; families on both sides", f"Two cliques inside {crews[0]}"]
            )
        mediation = Mediation(
            program_id=program.id,
            occurred_at=_at(rng, on, 10, 21),
            area=area,
            identified_by=identified_by,
            incident_id=incident.id if incident is not None else None,
            parties_count=_pick(rng, [(2, 45), (3, 25), (4, 15), (5, 9), (6, 6)]),
            groups_involved=groups,
            weapons_present=weapons,
            imminent_risk=risk,
            actions_taken=rng.choice(MEDIATION_ACTIONS),
            outcome=outcome,
            recorded_by_id=rng.choice(staff),
        )
        mediations.append(mediation)
        # About a third involved people the program is working with (active outreach cases that day).
        if rng.random() < 0.36:
            active = list({person.id: person for person, plan in holders if _status_on(plan, on) == "active"}.values())
            chosen = rng.sample(active, min(len(active), rng.choice((1, 1, 2)), mediation.parties_count))
            links.append((mediation, chosen))
    mediations.sort(key=lambda m: m.occurred_at)

    # Responses to about 60% of shootings, by the program's workers, mostly within a day.
    responses: list[ShootingResponse] = []
    latest = to_utc(datetime.combine(last, time(23, 59)))
    for incident in incidents:
        if incident.kind != "shooting" or rng.random() >= 0.6:
            continue
        window = (latest - incident.occurred_at).total_seconds() // 60
        if window < 20:
            continue
        low, high = _pick(rng, [((20, 180), 45), ((180, 24 * 60), 33), ((24 * 60, 72 * 60), 22)])
        high = min(high, int(window))  # a shooting late yesterday got its response by midnight
        minutes = rng.randint(low if low <= high else 20, high)
        fatal = incident.fatal_victims > 0
        location = _pick(
            rng,
            [("scene", 20), ("hospital", 55), ("family", 20), ("vigil", 5)]
            if incident.source == "hospital"
            else [("scene", 40), ("hospital", 25), ("family", 20), ("vigil", 20 if fatal else 5)],
        )
        responder = rng.choice(staff)
        responses.append(
            ShootingResponse(
                program_id=program.id,
                incident_id=incident.id,
                responder_id=responder,
                location=location,
                first_response_at=incident.occurred_at + timedelta(minutes=minutes),
                retaliation_risk=_pick(
                    rng,
                    [("low", 10), ("moderate", 40), ("high", 50)]
                    if fatal
                    else [("low", 25), ("moderate", 45), ("high", 30)],
                ),
                notes=rng.choice(RESPONSE_NOTES[location]),
                recorded_by_id=responder,
            )
        )

    activities = _activities(rng, program, staff, start, last)
    db.session.add_all(mediations + responses + activities)
    db.session.flush()

    people = 0
    for mediation, chosen in links:
        for person in chosen:
            mediation.people.append(
                MediationPerson(
                    participant_id=person.id,
                    linked_by_id=mediation.recorded_by_id,
                    linked_at=mediation.occurred_at + timedelta(minutes=rng.randint(30, 120)),
                )
            )
            people += 1
    follow_ups = []
    for m in mediations:
        follow_ups += _follow_ups(rng, "mediation", m.id, _local_day(m.occurred_at), m.recorded_by_id, last, 0.6)
    for r in responses:
        follow_ups += _follow_ups(rng, "response", r.id, _local_day(r.first_response_at), r.responder_id, last, 0.4)
    db.session.add_all(follow_ups)
    db.session.flush()
    return {
        "mediations": len(mediations),
        "mediation_people": people,
        "responses": len(responses),
        "activities": len(activities),
        "follow_ups": len(follow_ups),
    }


def _activities(rng: random.Random, program: Program, staff: list[int], start: date, last: date):
    """Canvassing every week or two, an event a month, norm-change work every couple of months, a few others."""
    days: list[tuple[date, str]] = []
    on = start + _days(rng.randint(0, 6))
    while on <= last:
        days.append((on, "canvassing"))
        on += _days(rng.randint(7, 14))
    for month in range(HISTORY_DAYS // 30):
        on = start + _days(30 * month + rng.randint(0, 27))
        if on <= last:
            days.append((on, "community_event"))
    on = start + _days(rng.randint(10, 40))
    while on <= last:
        days.append((on, "norm_change"))
        on += _days(rng.randint(40, 75))
    days += [(last - _days(rng.randint(0, HISTORY_DAYS)), "other") for _ in range(3)]
    rows = []
    for on, kind in sorted(days):
        (low, high), (few, many) = ACTIVITY_SIZES[kind]
        rows.append(
            OutreachActivity(
                program_id=program.id,
                occurred_on=on,
                kind=kind,
                area=rng.choice(AREAS),
                staff_minutes=30 * rng.randint(low, high),
                people_reached=rng.randint(few, many),
                description=rng.choice(ACTIVITY_TEXTS[kind]),
                recorded_by_id=rng.choice(staff),
            )
        )
    return rows


def requested_services(rng, asking: int) -> list[str]:
    """The service tables a call-in's attendees asked at: a few distinct categories when anyone asked."""
    categories: list[str] = []
    kinds = min(asking + 1, rng.randint(2, 5)) if asking else 0
    while len(categories) < kinds:
        category = _pick(rng, FD_SERVICE_WEIGHTS)
        if category not in categories:
            categories.append(category)
    return categories


def seed_deterrence(
    rng: random.Random, program: Program, staff: list[int], holders: list, last: date
) -> dict[str, int]:
    """Groups and affiliations, quarterly call-ins and custom notifications with the offer of help; flushed.

    People offered help before they enrolled are chosen on purpose, so the pipeline from offer to enrolment
    to a connected service shows real people at every stage without changing any case.
    """
    start = last - _days(HISTORY_DAYS)
    groups = [DeterrenceGroup(program_id=program.id, name=name, area=area) for name, area in DETERRENCE_GROUPS]
    db.session.add_all(groups)
    db.session.flush()
    # About 40% of the program's cases carry an affiliation; people found not on the audit carry none.
    affiliated = [(person, plan) for person, plan in holders if plan.status != "ineligible"]
    affiliated = rng.sample(affiliated, min(len(affiliated), round(0.4 * len(holders))))
    affiliations = []
    for person, plan in affiliated:
        local = [g for g in groups if g.area == person.area]
        group = local[0] if local and rng.random() < 0.7 else rng.choice(groups)
        affiliations.append(GroupAffiliation(case_id=plan.case.id, group_id=group.id, recorded_by_id=plan.worker))

    # Call-ins every quarter or so once the program had a caseload, the last within the figures' default 90 days.
    call_ins = []
    for k in range(6):
        on = min(last, start + _days(115 + 85 * k + rng.randint(-7, 7)))
        on -= _days((on.weekday() - 2) % 7 + rng.choice((0, 1)))  # back to a Wednesday or Tuesday evening
        call_in = CallIn(
            program_id=program.id,
            held_at=to_utc(datetime.combine(on, time(18, rng.choice((0, 30))))),
            venue=rng.choice(CALL_IN_VENUES),
            speakers_community=rng.randint(2, 4),
            speakers_services=rng.randint(2, 3),
            speakers_law_enforcement=rng.randint(1, 2),
            notes=rng.choice(CALL_IN_NOTES),
            recorded_by_id=staff[0],
        )
        # Invitees are people with a case open that day; those not yet enrolled are asked first.
        open_then = [(person, plan) for person, plan in holders if _open_on(plan, on)]
        before = [(p, plan) for p, plan in open_then if plan.enrolled_on is not None and plan.enrolled_on > on]
        others = [(p, plan) for p, plan in open_then if plan.enrolled_on is None or plan.enrolled_on <= on]
        wanted = rng.randint(8, 15)
        chosen = rng.sample(before, min(len(before), wanted)) + rng.sample(
            others, min(len(others), max(0, wanted - len(before)))
        )
        seen: set[int] = set()
        for person, plan in chosen:
            if person.id in seen:
                continue
            seen.add(person.id)
            eager = plan.enrolled_on is not None and plan.enrolled_on > on
            attended = rng.random() < (0.85 if eager else 0.6)
            accepted = attended and rng.random() < (0.8 if eager else 0.45)
            call_in.invitees.append(
                CallInInvitee(
                    participant_id=person.id,
                    attendance="attended" if attended else "absent",
                    help_accepted=accepted,
                )
            )
        came = [i for i in call_in.invitees if i.attendance == "attended"]
        if came and not any(i.help_accepted for i in came):
            rng.choice(came).help_accepted = True  # someone always stays to talk to the service tables
        asking = sum(i.help_accepted for i in call_in.invitees)
        categories = requested_services(rng, asking)
        call_in.service_requests = [
            CallInServiceRequest(category=c, people=rng.randint(1, max(1, (asking + 1) // 2))) for c in categories
        ]
        call_ins.append(call_in)

    notifications = _notifications(rng, program, holders, start, last)
    db.session.add_all(affiliations + call_ins + notifications)
    db.session.flush()
    follow_ups = []
    for n in notifications:
        if n.delivered:
            follow_ups += _follow_ups(rng, "notification", n.id, n.notified_on, n.recorded_by_id, last, 0.4)
    db.session.add_all(follow_ups)
    db.session.flush()
    invitees = [i for c in call_ins for i in c.invitees]
    return {
        "groups": len(groups),
        "affiliations": len(affiliations),
        "call_ins": len(call_ins),
        "invited": len(invitees),
        "attended": sum(i.attendance == "attended" for i in invitees),
        "accepted_help": sum(i.help_accepted for i in invitees),
        "notifications": len(notifications),
        "delivered": sum(n.delivered for n in notifications),
        "offers_accepted": sum(n.offer_accepted for n in notifications),
        "follow_ups": len(follow_ups),
    }


def _notifications(rng: random.Random, program: Program, holders: list, start: date, last: date) -> list:
    """About 50 custom notifications to people with open cases; a dozen come before enrolment and are taken up."""
    case_ids = [plan.case.id for _, plan in holders]
    connected = set(
        db.session.execute(
            select(Referral.case_id).where(
                Referral.case_id.in_(case_ids), Referral.status.in_(("connected", "completed"))
            )
        ).scalars()
    )
    # Enrolled after a window in which a notification could come first; those later connected to services first.
    waiting = [
        (person, plan)
        for person, plan in holders
        if plan.enrolled_on is not None and max(start, plan.referred_on) < plan.enrolled_on
    ]
    rng.shuffle(waiting)
    waiting.sort(key=lambda pair: pair[1].case.id not in connected)
    picks: list[tuple[Participant, object, date, bool]] = []
    for person, plan in waiting[:12]:
        low = max(start, plan.referred_on)
        on = low + _days(rng.randint(0, (plan.enrolled_on - low).days - 1))
        picks.append((person, plan, on, True))
    for _ in range(50 - len(picks)):
        on = last - _days(rng.randint(0, HISTORY_DAYS))
        open_then = [(person, plan) for person, plan in holders if _open_on(plan, on)]
        if open_then:
            person, plan = rng.choice(open_then)
            picks.append((person, plan, on, False))
    rows = []
    for person, plan, on, eager in sorted(picks, key=lambda pick: pick[2]):
        delivered = eager or rng.random() < 0.85
        accepted = delivered and (eager or rng.random() < 0.28)
        rows.append(
            Notification(
                program_id=program.id,
                participant_id=person.id,
                notified_on=on,
                trigger=_pick(rng, NOTIFICATION_TRIGGER_WEIGHTS),
                delivered=delivered,
                offer_accepted=accepted,
                notes=rng.choice(DELIVERED_NOTES if delivered else UNDELIVERED_NOTES),
                recorded_by_id=plan.worker_on(on),
            )
        )
    return rows
