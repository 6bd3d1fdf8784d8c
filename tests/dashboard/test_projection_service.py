"""dashboard/projection_service.py: one engine run per profile, scenario and catalog version
(cached), history reused across forward-looking changes. (Without Redis: test_cache_degrades.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from dashboard import projection_service
from dashboard.engine.scenario import Scenario
from dashboard.engine.usage import read_usage
from dashboard.models import UsageProfile
from dashboard.profile_store import store_profile
from providers.catalog import get_catalog
from providers.models import LLMModel, Price, Provider

pytestmark = pytest.mark.django_db
SWITCH = dt.date(2026, 11, 1)


@pytest.fixture
def profile() -> UsageProfile:
    """gpt-4o-mini at $0.15 / $0.60 per 1M; 1M input + 1M output tokens a day in October
    2026: a baseline month of 31M + 31M tokens, so November costs 31 x $0.75 = $23.25."""
    cache.clear()
    openai = Provider.objects.create(slug="openai", name="OpenAI", country="US", region="international",
                                     billing_currency="USD")
    mini = LLMModel.objects.create(provider=openai, model_id="gpt-4o-mini", display_name="GPT-4o mini",
                                   tier="economy")
    Price.objects.create(model=mini, effective_from=dt.date(2024, 1, 1), currency="USD",
                         input_per_mtok=Decimal("0.15"), output_per_mtok=Decimal("0.60"))
    rows = "".join(f"2026-10-{d:02d},gpt-4o-mini,1000000,1000000,openai\n" for d in range(1, 32))
    frame, report = read_usage(("date,model,input_tokens,output_tokens,provider\n" + rows).encode(),
                               filename="u.csv", today=dt.date(2026, 11, 29))
    yield store_profile(frame, report, file_name="u.csv")
    cache.clear()


def scenario(**fields) -> Scenario:
    return Scenario(switch_date=SWITCH, horizon_months=1, baseline_months=1, **fields)


def current_total(outcome: projection_service.Outcome) -> float:
    return next(s.total_display for s in outcome.projection.summary if s.candidate == "current")


@pytest.fixture
def engine_runs(monkeypatch) -> dict[str, int]:
    """Counts the engine's projection and history runs behind the service."""
    runs = {"project": 0, "history": 0}

    def counted(name, function):
        def run(*args, **kwargs):
            runs[name] += 1
            return function(*args, **kwargs)
        return run

    monkeypatch.setattr(projection_service, "project", counted("project", projection_service.project))
    monkeypatch.setattr(projection_service, "reprice_history",
                        counted("history", projection_service.reprice_history))
    return runs


def test_the_same_request_is_computed_once(profile, engine_runs) -> None:
    first = projection_service.compute(profile, get_catalog(), scenario(), {})
    again = projection_service.compute(profile, get_catalog(), scenario(), {})
    assert current_total(first) == current_total(again) == pytest.approx(23.25)
    assert engine_runs == {"project": 1, "history": 1}


def test_growth_reprojects_but_reuses_the_history(profile, engine_runs) -> None:
    projection_service.compute(profile, get_catalog(), scenario(), {})
    grown = projection_service.compute(profile, get_catalog(), scenario(growth_pct=10), {})
    assert current_total(grown) == pytest.approx(23.25)  # the first month is not grown yet
    assert engine_runs == {"project": 2, "history": 1}


def test_a_catalog_edit_is_seen_on_the_next_request(profile, engine_runs) -> None:
    before = projection_service.compute(profile, get_catalog(), scenario(), {})
    Price.objects.update(input_per_mtok=Decimal("0.30"))  # a bulk update sends no signal ...
    stale = projection_service.compute(profile, get_catalog(), scenario(), {})
    price = Price.objects.get()
    price.save()  # ... a save does, and bumps the catalog version
    after = projection_service.compute(profile, get_catalog(), scenario(), {})
    assert current_total(before) == current_total(stale) == pytest.approx(23.25)
    # 31M x ($0.30 + $0.60) / 1M = $27.90
    assert current_total(after) == pytest.approx(27.90)
    assert engine_runs == {"project": 2, "history": 2}


def test_identified_models_are_priced_and_cached_apart(profile, engine_runs) -> None:
    mini = LLMModel.objects.get().pk
    plain = projection_service.compute(profile, get_catalog(), scenario(), {})
    identified = projection_service.compute(profile, get_catalog(), scenario(), {"gpt-4o-mini": mini})
    assert current_total(plain) == current_total(identified) == pytest.approx(23.25)
    assert engine_runs["project"] == 2
