"""Scenario validation: one clear message per bad field."""

from __future__ import annotations

import pytest

from dashboard.engine.scenario import Scenario, ScenarioError

from .factory import D, catalog, model, provider


def cat():
    return catalog(
        [provider("openai"), provider("deepseek")],
        [model(1, "openai", "gpt-4o"), model(2, "deepseek", "ds")],
    )


def errors_of(**kwargs) -> dict[str, str]:
    with pytest.raises(ScenarioError) as caught:
        Scenario(**{"switch_date": D(2024, 7, 9), **kwargs}).validate(cat())
    return caught.value.errors


def test_defaults_are_valid():
    scenario = Scenario()
    assert scenario.validate(cat()) is scenario
    assert (scenario.horizon_months, scenario.baseline_months, scenario.growth_pct) == (12, 3, 0)
    assert scenario.include_unverified is False


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"horizon_months": 0}, "horizon_months", "between 1 and 60"),
        ({"horizon_months": 61}, "horizon_months", "between 1 and 60"),
        ({"growth_pct": -51}, "growth_pct", "between -50% and 500%"),
        ({"display_currency": "EUR"}, "display_currency", "Unknown currency 'EUR'"),
        ({"fx_override": 0}, "fx_override", "between 0.01 and 1000 CNY per USD"),
        ({"fx_override": 1e306}, "fx_override", "between 0.01 and 1000 CNY per USD"),
        ({"fx_override": float("nan")}, "fx_override", "between 0.01 and 1000 CNY per USD"),
        ({"switch_date": D(9999, 12, 31)}, "switch_date", "between 2015-01-01 and 2100-12-31"),
        ({"switch_date": D(2014, 12, 31)}, "switch_date", "between 2015-01-01 and 2100-12-31"),
        ({"baseline_months": 25}, "baseline_months", "between 1 and 24"),
        ({"providers": ("nope",)}, "providers", "Unknown provider: nope"),
        ({"eligibility": frozenset({"vip"})}, "eligibility", "Unknown eligibility: vip"),
        (
            {"mapping_overrides": (("gpt-4o", "deepseek", 99),)},
            "mapping_overrides",
            "unknown target model 99",
        ),
        (
            {"mapping_overrides": (("gpt-4o", "deepseek", 1),)},
            "mapping_overrides",
            "mapping to a model of another provider",
        ),
    ],
)
def test_bad_fields_are_reported_with_a_clear_message(kwargs, field, text):
    errors = errors_of(**kwargs)
    assert field in errors
    assert text in errors[field]


def test_an_override_to_a_provider_not_compared_is_fine():
    Scenario(providers=("openai",), mapping_overrides=(("gpt-4o", "deepseek", 2),)).validate(cat())


def test_the_last_switch_date_allowed_still_has_a_horizon_end():
    # 2100-12-31 + 60 months is a real date; year 10000 (9999-12-31 + 1 month) is not.
    scenario = Scenario(switch_date=D(2100, 12, 31), horizon_months=60)
    assert scenario.validate(cat()) is scenario
    assert scenario.horizon_end == D(2105, 12, 30)


def test_a_provider_named_twice_is_compared_once():
    scenario = Scenario(providers=("deepseek", "openai", "deepseek"))
    assert scenario.providers == ("deepseek", "openai")
