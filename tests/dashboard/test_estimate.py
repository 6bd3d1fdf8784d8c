"""The estimate: a model and monthly tokens typed on the home page, at /estimate/ or sent to
POST /api/estimates/, stored as a profile that opens the same dashboard."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.models import UsageDay, UsageProfile

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)
GOOD = {"model": "openai/gpt-4o", "input_tokens": "120M", "output_tokens": "30,000,000", "cache_read_pct": "40",
        "batch_pct": "0", "prompt": "", "growth": ""}  # fmt: skip


@pytest.fixture(autouse=True)
def catalog(seeded, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    return seeded


def stored_totals(profile: UsageProfile) -> dict[str, int]:
    return UsageDay.objects.filter(profile=profile).aggregate(
        input=Sum("tokens_input_uncached"), cache=Sum("tokens_cache_read"), output=Sum("tokens_output"), requests=Sum("requests")
    )


def test_the_estimate_form_stores_a_profile_and_opens_its_dashboard(client: Client) -> None:
    response = client.post(reverse("profiles:estimate"), GOOD)
    profile = UsageProfile.objects.get()
    assert response.status_code == 302 and response["Location"] == profile.get_absolute_url()
    # Three months (Aug-Oct 2026) of 120M input (40% cached = 48M) and 30M output.
    assert stored_totals(profile) == {"input": 3 * 72_000_000, "cache": 3 * 48_000_000, "output": 3 * 30_000_000,
                                      "requests": 3 * 60_000}  # fmt: skip
    assert profile.first_day == dt.date(2026, 8, 1) and profile.last_day == dt.date(2026, 10, 31)
    dashboard = client.get(response["Location"])
    html = dashboard.content.decode()
    assert dashboard.status_code == 200 and 'id="ranking"' in html and "Current (OpenAI)" in html
    assert profile.file_name in client.get(reverse("profiles:list")).content.decode()  # it is this browser's


def test_a_growth_rate_is_carried_into_the_dashboards_scenario(client: Client) -> None:
    response = client.post(reverse("profiles:estimate"), {**GOOD, "growth": "5"})
    assert parse_qs(urlsplit(response["Location"]).query) == {"growth": ["5"]}
    dashboard = client.get(response["Location"])
    assert "growth 5% a month" in dashboard.content.decode()
    assert dashboard.context["form"]["elig"].value() == ["new_customers", "openai_migrants"]  # default offers on


@pytest.mark.parametrize(
    ("typed", "provider", "model_id"),
    [
        ("openai/gpt-4o", "openai", "gpt-4o"),
        ("gpt-4o", "openai", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "openai", "gpt-4o-mini"),  # an alias
        ("alibaba-intl/qwen-plus", "alibaba-intl", "qwen-plus"),  # the provider decides
        ("alibaba/qwen-plus", "alibaba", "qwen-plus"),
    ],
)
def test_the_model_can_be_named_by_provider_and_id_by_id_or_by_alias(client: Client, typed, provider, model_id) -> None:
    client.post(reverse("profiles:estimate"), {**GOOD, "model": typed})
    row = UsageDay.objects.values("source_provider", "source_model").distinct().get()
    assert row == {"source_provider": provider, "source_model": model_id}


def test_bad_figures_get_a_message_per_field_and_store_nothing(client: Client) -> None:
    response = client.post(
        reverse("profiles:estimate"),
        {**GOOD, "model": "gpt-17-ultra", "input_tokens": "12,5M", "cache_read_pct": "140", "growth": "900"},
    )
    form = response.context["estimate_form"]
    assert response.status_code == 400
    assert set(form.errors) == {"model", "input_tokens", "cache_read_pct", "growth"}
    assert "gpt-17-ultra" in form.errors["model"][0]
    html = response.content.decode()
    assert "Nothing was stored" in html and "No catalog model is called" in html
    assert UsageProfile.objects.count() == 0 and UsageDay.objects.count() == 0


def test_an_estimate_with_no_tokens_at_all_is_refused(client: Client) -> None:
    response = client.post(reverse("profiles:estimate"), {**GOOD, "input_tokens": "0", "output_tokens": "0"})
    assert response.status_code == 400
    assert "at least one above zero" in response.context["estimate_form"].errors["input_tokens"][0]
    assert UsageProfile.objects.count() == 0


def test_the_home_page_and_estimate_page_carry_the_form(client: Client) -> None:
    for url in (reverse("catalog"), reverse("profiles:estimate")):
        html = client.get(url).content.decode()
        assert f'action="{reverse("profiles:estimate")}"' in html and 'id="estimate_model"' in html
        assert 'list="estimate-models"' in html and '<datalist id="estimate-models">' in html


def test_model_suggestions_follow_what_is_typed_in_chinese_too(client: Client) -> None:
    html = client.get(reverse("profiles:estimate_models"), {"model": "混元"}).content.decode()
    assert 'value="tencent/hunyuan-pro"' in html and "腾讯混元" in html
    assert "openai/" not in html


# --- POST /api/estimates/ -------------------------------------------------------------------


def post_json(client: Client, body: object):
    return client.post(reverse("api:estimates"), data=json.dumps(body), content_type="application/json")


def test_the_api_answers_201_with_the_profile_summary(client: Client) -> None:
    response = post_json(client, {"model": "deepseek/deepseek-chat", "input_tokens": 50_000_000, "output_tokens": 10_000_000,
                                  "batch_pct": 10, "growth": 3})  # fmt: skip
    body = response.json()
    profile = UsageProfile.objects.get()
    assert response.status_code == 201 and body["id"] == str(profile.pk)
    assert body["format"] == "estimate" and body["models"] == ["deepseek-chat"]
    assert body["first_day"] == "2026-08-01" and body["last_day"] == "2026-10-31"
    [totals] = body["totals"]
    # 3 months x 50M input and 10M output (batch rows included in the per-model totals).
    assert totals["tokens_input_uncached"] == 150_000_000 and totals["tokens_output"] == 30_000_000
    assert urlsplit(body["url"]).path == profile.get_absolute_url() and "growth=3" in body["url"]


def test_the_api_takes_a_form_body_too(client: Client) -> None:
    response = client.post(reverse("api:estimates"), GOOD)
    assert response.status_code == 201 and response.json()["totals"][0]["tokens_cache_read"] == 3 * 48_000_000


def test_the_api_gives_400_with_field_messages_and_stores_nothing(client: Client) -> None:
    response = post_json(client, {"model": "nope", "input_tokens": -1, "output_tokens": "many"})
    body = response.json()
    assert response.status_code == 400 and body["error"] == "Invalid parameters."
    assert set(body["errors"]) == {"model", "input_tokens", "output_tokens"}
    assert "greater than or equal to 0" in body["errors"]["input_tokens"]
    assert UsageProfile.objects.count() == 0


@pytest.mark.parametrize(("raw", "message"), [(b"{not json", "not valid JSON"), (b"[1, 2]", "must be a JSON object")])
def test_the_api_explains_a_body_that_is_not_a_json_object(client: Client, raw: bytes, message: str) -> None:
    response = client.post(reverse("api:estimates"), data=raw, content_type="application/json")
    assert response.status_code == 400 and message in response.json()["error"]


def test_the_api_only_takes_post(client: Client) -> None:
    response = client.get(reverse("api:estimates"))
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_the_api_needs_the_bearer_token_when_tokens_are_set(client: Client, settings) -> None:
    settings.API_TOKENS = ["s3cret"]
    assert post_json(client, {**GOOD}).status_code == 401
    ok = client.post(reverse("api:estimates"), GOOD, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201
