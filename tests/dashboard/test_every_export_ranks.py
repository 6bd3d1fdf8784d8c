"""Every sample export, projected on the seed catalog, gets a ranking with its coverage, or
(money without tokens) the statement that re-pricing needs token counts - never a ranking of
providers at 0. Ids the catalog may not know (o-series, Claude, Gemini, Llama, an internal
model) leave the rest of the usage ranked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario
from dashboard.engine.usage import read_usage
from providers.catalog import get_catalog
from providers.meters import meter_rules

pytestmark = pytest.mark.django_db

USAGE = Path(__file__).resolve().parents[2] / "fixtures" / "usage"
TODAY = dt.date(2026, 11, 30)  # the samples are dated up to 2026-10
SWITCH = dt.date(2026, 11, 1)
COST_ONLY = {
    "claude_api_cost_2025_12.csv",
    "litellm_usage_daily_with_models_2026-07.csv",
    "focus_litellm_2026-07.csv",
}

# o-series, Claude, Gemini and Llama ids, an audio preview and an internal id nobody knows
MIXED_IDS = b"""date,model,input_tokens,output_tokens,requests,provider
2026-10-01,o1-mini,2000000,800000,500,openai
2026-10-01,o3-mini-2025-01-31,1500000,900000,400,openai
2026-10-01,claude-3-5-sonnet-20241022,3000000,400000,900,anthropic
2026-10-01,gemini-2.0-flash,5000000,600000,1200,google
2026-10-01,meta-llama/llama-3.1-70b-instruct,2500000,300000,700,openrouter
2026-10-01,gpt-4o-audio-preview,100000,50000,50,openai
2026-10-01,acme-internal-13b,700000,100000,100,acme
"""


def projected(source: Path | bytes, name: str, rules) -> object:
    frame, report = read_usage(source, filename=name, today=TODAY, meter_rules=rules)
    return project(frame, get_catalog(), Scenario(switch_date=SWITCH), report.billed_usage)


def test_every_sample_export_is_ranked_with_coverage_or_says_it_needs_tokens(seeded) -> None:
    rules = meter_rules()
    files = sorted(USAGE.glob("*.csv")) + sorted((USAGE / "cloud").glob("*.csv"))
    assert len(files) >= 20
    for path in files:
        result = projected(path, path.name, rules)
        ranked = [s for s in result.summary if s.rank is not None and s.candidate != "current"]
        if path.name in COST_ONLY:
            assert result.comparison.status == "no_token_counts", path.name
            assert result.summary == [], path.name
            continue
        assert result.comparison.status in ("compared", "current_unpriced"), path.name
        assert len(ranked) >= 5, path.name
        for s in ranked:
            assert s.total_display >= 0 and s.coverage_pct > 0, (path.name, s.candidate)
            assert s.coverage_pct == pytest.approx(result.comparison.compared_pct), path.name


def test_unknown_ids_among_known_ones_leave_the_rest_ranked(seeded) -> None:
    result = projected(MIXED_IDS, "mixed_ids.csv", meter_rules())
    comparison = result.comparison
    left_out = {item.source_model: item for item in comparison.left_out}
    # the internal id is unknown: left out with its tokens. One uploaded day is scaled to a
    # 30.4375-day month (800,000 x 30.4375 a month), over 12 months from Nov 1.
    assert left_out["acme-internal-13b"].reason.code == "not_in_catalog"
    assert left_out["acme-internal-13b"].tokens == pytest.approx(800_000 * 30.4375 * 12)
    ranked = [s for s in result.summary if s.rank is not None and s.candidate != "current"]
    assert len(ranked) >= 5
    assert 0 < comparison.compared_pct < 100
    for s in ranked:
        assert s.coverage_pct == pytest.approx(comparison.compared_pct)


@pytest.mark.parametrize(
    "name", ["openrouter_activity_2026-06-28.csv", "openrouter_activity_daily_2026-05.csv"]
)
def test_openrouter_exports_are_priced_on_openrouter_itself(seeded, name: str) -> None:
    # OpenRouter bills at its own listed prices whoever served the request, so the current
    # provider is OpenRouter and every source id lands on one of its models, all priced.
    result = projected(USAGE / name, name, meter_rules())
    current = next(s for s in result.summary if s.candidate == "current")
    assert current.label == "Current (OpenRouter)"
    assert current.coverage_pct == 100.0 and not current.has_unpriced
    assert current.total_display > 0
    assert all(m.target_display.endswith("(OpenRouter)") for m in current.mappings)
