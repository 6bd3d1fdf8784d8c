"""Pages whose size does not grow with the number of source model ids: the top
DASHBOARD_TOP_MODELS models (most tokens) in full, the rest grouped as "N other models"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from dashboard import profile_store
from dashboard.engine.usage import read_usage
from tests.dashboard.test_projection_views import catalog, scenario

pytestmark = pytest.mark.django_db

# tokens per model: input + output, one row each on 2026-10-01
MODELS = [
    ("gpt-4o-mini", 5000, 1000),  # 6,000: the most
    ("deepseek-chat", 3000, 1000),  # 4,000
    ("gpt-4o-mini-2024-07-18", 20, 10),  # 30 (an alias of gpt-4o-mini: mapped too)
    ("rare-model-b", 10, 5),  # 15
]


def many_models_profile():
    content = "date,model,input_tokens,output_tokens\n" + "".join(
        f"2026-10-01,{model},{inp},{out}\n" for model, inp, out in MODELS
    )
    frame, report = read_usage(content.encode(), filename="usage.csv", today=dt.date(2026, 11, 29))
    return profile_store.store_profile(frame, report, file_name="usage.csv")


def test_top_models_keep_the_most_tokens_and_sum_the_rest() -> None:
    totals = [
        {"source_provider": "x", "source_model": m, "requests": 1, "tokens_input_uncached": i,
         "tokens_cache_read": 0, "tokens_cache_write": 0, "tokens_output": o}
        for m, i, o in MODELS
    ]
    top = profile_store.top_models(totals, 2)

    assert [row["source_model"] for row in top["shown_totals"]] == ["gpt-4o-mini", "deepseek-chat"]
    assert top["top_sources"] == {"gpt-4o-mini", "deepseek-chat"}
    assert [row["source_model"] for row in top["other_totals"]] == ["gpt-4o-mini-2024-07-18", "rare-model-b"]
    # the two rare models: 20 + 10 input, 10 + 5 output, 45 tokens, 2 requests
    summary = top["other_summary"]
    assert (summary["count"], summary["tokens_input_uncached"], summary["tokens_output"]) == (2, 30, 15)
    assert (summary["tokens"], summary["requests"]) == (45, 2)


def test_no_other_row_when_every_model_fits() -> None:
    top = profile_store.top_models([{"source_model": "m", "tokens_input_uncached": 1,
                                     "tokens_cache_read": 0, "tokens_cache_write": 0,
                                     "tokens_output": 0}], 2)
    assert (top["other_totals"], top["other_summary"]) == ([], None)


@override_settings(DASHBOARD_TOP_MODELS=2)
def test_dashboard_shows_the_top_models_and_groups_the_others(client: Client) -> None:
    catalog()
    profile = many_models_profile()

    response = client.get(reverse("profiles:dashboard", args=[profile.pk]), scenario())

    assert response.status_code == 200
    html = response.content.decode()
    totals_table = html[html.index('id="model-totals"') : html.index('id="other-models"')]
    assert "<code>gpt-4o-mini</code>" in totals_table
    assert "<code>gpt-4o-mini-2024-07-18</code>" not in totals_table
    assert "2 other models</b>" in totals_table
    others = html[html.index('id="other-model-totals"') :]
    assert "<code>gpt-4o-mini-2024-07-18</code>" in others and "<code>rare-model-b</code>" in others
    # pickers for the top two known models (gpt-4o-mini, deepseek-chat) and the top unknown
    # one (rare-model-b): the alias gpt-4o-mini-2024-07-18 has none
    assert html.count('<select name="map"') == 2
    assert html.count('<select name="identify"') == 1
    assert "1 model with fewer tokens keeps the automatic choice here" in html
    # each ranked provider lists the mappings of the top models only (rare-model-b, unknown
    # to the catalog, has none)
    ranking = html[html.index('id="ranking"') :]
    assert "<code>gpt-4o-mini-2024-07-18</code> →" not in ranking
    assert "+ 1 other model (in the summary CSV)" in ranking


def test_dashboard_under_the_limit_shows_every_model(client: Client) -> None:
    catalog()
    profile = many_models_profile()

    html = client.get(reverse("profiles:dashboard", args=[profile.pk]), scenario()).content.decode()

    assert 'id="other-models"' not in html
    assert "other model" not in html
    assert 'id="pickers-hidden"' not in html


@override_settings(DASHBOARD_TOP_MODELS=1)
def test_unknown_ids_with_more_tokens_do_not_hide_every_mapping(client: Client) -> None:
    catalog()
    content = (
        "date,model,input_tokens,output_tokens\n"
        "2026-10-01,mystery-model,900000,100000\n"  # the most tokens, not in the catalog
        "2026-10-01,gpt-4o-mini,5000,1000\n"
    )
    frame, report = read_usage(content.encode(), filename="usage.csv", today=dt.date(2026, 11, 29))
    profile = profile_store.store_profile(frame, report, file_name="usage.csv")

    html = client.get(reverse("profiles:dashboard", args=[profile.pk]), scenario()).content.decode()

    ranking = html[html.index('id="ranking"') :]
    assert "<code>gpt-4o-mini</code> →" in ranking
    assert "other model" not in ranking
    assert html.count('<select name="map"') == html.count('<select name="identify"') == 1
