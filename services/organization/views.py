"""What the organization service answers: plain JSON-safe dicts of its aggregates."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.organization.domain import Bureau, Campaign, Person, Unit


def bureau(b: Bureau) -> dict[str, Any]:
    return {
        "bureau_id": b.id,
        "district_id": b.district_id,
        "name": b.name,
        "committee": sorted(b.committee),
        "leading_group": {
            pid: role.value for pid, role in sorted(b.leading_group.items())
        },
        "leading_group_office": sorted(b.office),
        "liaisons": {
            m: sorted(units) for m, units in sorted(b.liaisons.items()) if units
        },
        "external_evaluators": [
            {
                "evaluator_id": eid,
                "name": name,
                "constituency": constituency.value,
                "organisation": org,
            }
            for eid, (name, constituency, org) in sorted(b.evaluators.items())
        ],
        "version": b.version,
    }


def unit(u: Unit) -> dict[str, Any]:
    return {
        "unit_id": u.id,
        "bureau_id": u.bureau_id,
        "code": u.code,
        "name": u.name,
        "kind": u.kind.value,
        "service_window": u.service_window,
        "hotline": {"number": u.hotline[0], "answered_by": u.hotline[1]}
        if u.hotline
        else None,
        "head_id": u.head_id,
        "info_officer_id": u.info_officer_id,
        "plans": {
            str(year): {
                "title": p.title,
                "summary": p.summary,
                "filed_on": p.filed_on.isoformat(),
            }
            for year, p in sorted(u.plans.items())
        },
        "mobilisations": {
            str(year): {
                "held_on": m.held_on.isoformat(),
                "attended": m.attended,
                "expected": m.expected,
                "attendance_rate": round(m.attended / m.expected, 4),
            }
            for year, m in sorted(u.mobilisations.items())
        },
        "version": u.version,
    }


def person(p: Person) -> dict[str, Any]:
    return {
        "person_id": p.id,
        "bureau_id": p.bureau_id,
        "unit_id": p.unit_id,
        "employee_no": p.employee_no,
        "name": p.name,
        "position": p.position.value,
        "phone": p.phone,
        "active": p.active,
        "version": p.version,
    }


def campaign(k: Campaign, today: date) -> dict[str, Any]:
    phase = k.phase_on(today)
    return {
        "campaign_id": k.id,
        "bureau_id": k.bureau_id,
        "year": k.year,
        "name": k.name,
        "phases": [p.to_dict() for p in k.phases],
        "settings": k.settings,
        "today": today.isoformat(),
        "phase_today": phase.value if phase else None,
        "version": k.version,
    }
