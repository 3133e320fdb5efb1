"""The campaign calendar: four phases back to back, settings checked whole."""

from __future__ import annotations

from datetime import date

import pytest

from services.organization.domain import Campaign, PhaseDates
from services.organization.domain.campaign import default_phases, resolve_settings
from services.organization.domain.errors import PhasesInvalid, SettingsInvalid
from services.organization.domain.model import Phase


def launched(year: int = 2026, phases: list[PhaseDates] | None = None) -> Campaign:
    campaign = Campaign(f"zjj.{year}")
    campaign.launch("zjj", year, "作风建设整改年", phases, None)
    return campaign


class TestPhases:
    @pytest.mark.parametrize(
        ("day", "phase"),
        [
            (date(2026, 1, 31), None),
            (date(2026, 2, 1), Phase.STUDY),
            (date(2026, 2, 28), Phase.STUDY),
            (date(2026, 3, 1), Phase.FIND_PROBLEMS),
            (date(2026, 6, 30), Phase.FIND_PROBLEMS),
            (date(2026, 7, 1), Phase.RECTIFY),
            (date(2026, 10, 1), Phase.EVALUATE),
            (date(2026, 12, 31), Phase.EVALUATE),
            (date(2027, 1, 1), None),
        ],
    )
    def test_the_seed_calendar_places_each_day_in_its_phase(self, day, phase):
        assert launched().phase_on(day) == phase

    def test_a_leap_year_study_phase_ends_on_the_29th(self):
        assert launched(2028).phase_on(date(2028, 2, 29)) == Phase.STUDY

    def test_overlapping_phases_are_refused(self):
        phases = default_phases(2026)
        phases[1] = PhaseDates(
            Phase.FIND_PROBLEMS, date(2026, 2, 20), date(2026, 6, 30)
        )
        with pytest.raises(PhasesInvalid, match="overlap"):
            launched(phases=phases)

    def test_a_gap_between_phases_is_refused(self):
        phases = default_phases(2026)
        phases[2] = PhaseDates(Phase.RECTIFY, date(2026, 7, 5), date(2026, 9, 30))
        with pytest.raises(PhasesInvalid, match="gap") as raised:
            launched(phases=phases)
        assert "空档" in raised.value.message("zh-CN")

    def test_phases_out_of_order_are_refused(self):
        phases = default_phases(2026)
        phases[0], phases[1] = phases[1], phases[0]
        with pytest.raises(PhasesInvalid):
            launched(phases=phases)

    def test_a_phase_that_ends_before_it_starts_is_refused(self):
        phases = default_phases(2026)
        phases[3] = PhaseDates(Phase.EVALUATE, date(2026, 10, 1), date(2026, 9, 1))
        with pytest.raises(PhasesInvalid):
            launched(phases=phases)


class TestSettings:
    def test_defaults_follow_the_seed(self):
        settings = resolve_settings(None)
        assert settings["evaluation"]["threshold"] == 0.30
        assert settings["publicity"]["quotas"]["affiliated_unit"] == {
            "articles": 1,
            "period": "week",
        }
        assert settings["publicity"]["quotas"]["office"]["period"] == "half_month"
        assert settings["complaints"]["investigation_working_days"] == 15

    def test_an_override_keeps_the_other_defaults(self):
        settings = resolve_settings({"evaluation": {"threshold": 0.25}})
        assert settings["evaluation"] == {
            "threshold": 0.25,
            "min_ballots": 5,
            "talk_working_days": 10,
            "constituency_weights": {},
        }

    def test_constituency_weights_are_checked_whole(self):
        weights = {"service_recipient": 2, "deputy": 1.5}
        settings = resolve_settings({"evaluation": {"constituency_weights": weights}})
        assert settings["evaluation"]["constituency_weights"] == weights
        for bad in ({"martians": 1}, {"deputy": -1}, {"deputy": True}):
            with pytest.raises(SettingsInvalid):
                resolve_settings({"evaluation": {"constituency_weights": bad}})

    @pytest.mark.parametrize(
        "overrides",
        [
            {"nonsense": 1},
            {"evaluation": {"threshold": 1.5}},
            {"evaluation": {"threshold": True}},
            {"complaints": {"reply_working_days": 0}},
            {"assessment_weights": {"evaluation": 1.0}},
            {
                "assessment_weights": {
                    "evaluation": 0.5,
                    "ledger": 0.5,
                    "complaints": 0.1,
                    "publicity": 0,
                    "tests": 0,
                    "innovation": 0,
                }
            },
            {
                "publicity": {
                    "quotas": {"office": {"articles": 1, "period": "fortnight"}}
                }
            },
            {"ledger": {"escalation_days": [14, 7]}},
        ],
    )
    def test_bad_settings_are_refused_with_a_reason(self, overrides):
        with pytest.raises(SettingsInvalid) as raised:
            resolve_settings(overrides)
        assert raised.value.message("en").startswith(
            "The campaign settings are invalid"
        )

    def test_changing_settings_to_what_they_are_records_nothing(self):
        campaign = launched()
        campaign.mark_saved(1)
        campaign.change_settings({"evaluation": {"threshold": 0.30}})
        assert campaign.pending() == []
