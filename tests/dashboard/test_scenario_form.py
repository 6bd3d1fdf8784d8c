"""dashboard/forms/scenario.py: the query string -> the engine's Scenario. Defaults and bounds
come from the engine; a link may carry only what differs; s=1 marks unchecked boxes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from dashboard.engine.scenario import BOUNDS, DEFAULTS, Scenario, ScenarioError
from dashboard.forms.scenario import ScenarioForm, preset_query
from tests.engine.factory import catalog, model, provider

TODAY = dt.date(2026, 11, 30)
CATALOG = catalog(
    [provider("openai"), provider("deepseek")],
    [model(1, "openai", "gpt-4o-mini", "economy"), model(2, "deepseek", "deepseek-chat", "economy")],
)


def form(query: str | None) -> ScenarioForm:
    data = QueryDict(query) if query is not None else None
    return ScenarioForm(data, catalog=CATALOG, source_models=["gpt-4o-mini"], today=TODAY)


def test_the_form_takes_its_defaults_and_bounds_from_the_engine_scenario() -> None:
    fields = form(None).fields
    assert (fields["horizon"].min_value, fields["horizon"].max_value) == BOUNDS["horizon_months"]
    assert (fields["growth"].min_value, fields["growth"].max_value) == BOUNDS["growth_pct"]
    assert fields["baseline"].max_value == BOUNDS["baseline_months"][1]
    assert fields["horizon"].initial == DEFAULTS["horizon_months"] == Scenario().horizon_months
    # an unbound form (first visit) gives the engine's defaults, switching today
    assert form(None).to_scenario() == Scenario(switch_date=TODAY)


def test_a_link_carries_only_what_differs_from_the_defaults() -> None:
    used = form("horizon=2&currency=CNY&provider=deepseek").to_scenario()
    assert used == Scenario(switch_date=TODAY, horizon_months=2, display_currency="CNY",
                            providers=("deepseek",))


def test_with_s_an_absent_box_is_unchecked_and_elig_none_is_no_eligibility() -> None:
    assert form("s=1&switch=2026-11-01").to_scenario().eligibility == frozenset()
    assert form("switch=2026-11-01").to_scenario().eligibility == Scenario().eligibility
    assert form("elig=none").to_scenario().eligibility == frozenset()
    assert form("s=1&elig=verified_accounts").to_scenario().eligibility == {"verified_accounts"}


def test_map_takes_a_provider_slash_model_id_and_names_a_wrong_one() -> None:
    used = form("map=gpt-4o-mini::deepseek/DeepSeek-Chat").to_scenario()
    assert used.mapping_overrides == (("gpt-4o-mini", "deepseek", 2),)
    bad = form("map=gpt-4o-mini::deepseek/no-such")
    with pytest.raises(ScenarioError):
        bad.to_scenario()
    assert "'deepseek/no-such' (for gpt-4o-mini) is not a model of the catalog" in bad.errors["map"][0]
    assert form("identify=our-alias::openai/gpt-4o-mini").identifications() == {"our-alias": 1}


@pytest.mark.parametrize(
    ("query", "field"),
    [("horizon=61", "horizon"), ("horizon=0", "horizon"), ("growth=-51", "growth"),
     ("growth=abc", "growth"), ("currency=EUR", "currency"), ("switch=soon", "switch"),
     ("baseline=25", "baseline"), ("elig=everybody", "elig")],
)
def test_a_value_out_of_bounds_is_an_error_on_its_field(query: str, field: str) -> None:
    bad = form(query)
    with pytest.raises(ScenarioError):
        bad.to_scenario()
    assert list(bad.errors) == [field]


def test_a_preset_replaces_only_the_switch_date_and_eligibility() -> None:
    link = QueryDict(preset_query(QueryDict("currency=CNY&growth=5&switch=2026-01-01&page=2"),
                                  dt.date(2024, 7, 9), ["openai_migrants"]))
    assert link.dict() == {"currency": "CNY", "growth": "5", "switch": "2024-07-09", "s": "1",
                           "elig": "openai_migrants"}
