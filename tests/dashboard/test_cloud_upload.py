"""Cloud bills through the upload page and the API: identified with the catalog's meter table,
unknown meters listed, bad bills refused with line and column and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import UsageDay, UsageProfile
from tests.dashboard.conftest import csv_file

# Uploads of dated exports: the clock is pinned (an export's days must not be in the future).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]
CLOUD = Path(__file__).resolve().parents[2] / "fixtures" / "usage" / "cloud"


def upload(client: Client, name: str):
    path = CLOUD / name
    return client.post(reverse("profiles:upload"), {"file": csv_file(path.read_bytes(), name)})


def test_azure_bill_upload_stores_identified_models_and_lists_unknown_meters(
    seeded, client: Client
) -> None:
    response = upload(client, "azure_ea_costdetails_2026-05.csv")
    assert response.status_code == 302
    profile = UsageProfile.objects.get()
    assert profile.format == "azure_cost"
    rows = UsageDay.objects.filter(profile=profile, source_model="gpt-4o-2024-08-06")
    # 1,200,000 + 800,000 uncached input; 150,000 + 100,000 output; 5 + 3 USD
    assert sum(r.tokens_input_uncached for r in rows) == 2_000_000
    assert sum(r.tokens_output for r in rows) == 250_000
    assert sum(r.reported_cost for r in rows) == pytest.approx(8.0)
    assert len(profile.report["billed_usage"]) == 9
    page = client.get(response["Location"]).content.decode()
    assert 'id="unidentified-meters"' in page
    assert "computer-use-preview glbl Tokens" in page
    assert "50,000" in page  # its 50 x 1K tokens
    assert "token meter not in the meter table" in page
    # the bill's gpt-4o-2024-08-06 is Azure's Global Standard model, not OpenAI's
    assert "azure-openai/gpt-4o-2024-08-06" in page
    assert "openai/gpt-4o-2024-08-06</span>" not in page.replace("azure-openai/", "")


def test_api_summary_of_a_bedrock_bill_gives_totals_per_model(seeded) -> None:
    path = CLOUD / "aws_cur2_bedrock_2026-05.csv"
    response = Client().post("/api/profiles/", {"file": csv_file(path.read_bytes(), path.name)})
    assert response.status_code == 201
    body = response.json()
    assert body["format"] == "aws_cur"
    # every usage type matched a rule; the model no rule names comes from its ARN
    assert body["unidentified_meters"] == []
    sonnet46 = [t for t in body["totals"] if t["source_model"] == "anthropic.claude-sonnet-4-6"]
    assert sonnet46[0]["tokens_input_uncached"] == 100_000  # 100 x 1K
    # 0.574079 M input tokens of Haiku 4.5 through the eu. profile
    haiku = [t for t in body["totals"] if t["source_model"].startswith("eu.anthropic.claude-haiku")]
    assert haiku[0]["tokens_input_uncached"] == 574_079


def test_a_bad_azure_bill_is_refused_with_line_and_column_and_nothing_stored(
    seeded, client: Client
) -> None:
    bad = (
        "Date,MeterCategory,MeterName,UnitOfMeasure,Quantity,CostInBillingCurrency,"
        "BillingCurrencyCode\n"
        "2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.025,USD\n"
        "2026-05-02,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.025,EUR\n"
    )
    response = client.post(reverse("profiles:upload"), {"file": csv_file(bad, "bill.csv")})
    assert response.status_code == 400
    assert "bill.csv, line 3, column &#x27;BillingCurrencyCode&#x27;: &#x27;EUR&#x27; is not " \
        "USD or CNY" in response.content.decode()
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0


def test_azure_china_bill_is_ranked_against_domestic_providers_at_its_billed_rates(
    seeded, client: Client
) -> None:
    assert upload(client, "azure_china_mca_2024-05-20_2024-06-30.csv").status_code == 302
    profile = UsageProfile.objects.get()
    response = client.get(
        reverse("api:projection", args=[profile.pk]),
        {"switch": "2024-07-09", "horizon": "12", "currency": "CNY"},
    )
    assert response.status_code == 200
    body = response.json()
    # baseline = June 2024, the only complete month; Azure China has no list price
    assert body["current_priced_at"] == "billed rates (2024-06)"
    current = next(s for s in body["summary"] if s["candidate"] == "current")
    # June: gpt-4o 60M in x 35 + 9M out x 105 CNY/M = 2100 + 945; mini 150M x 1.2 + 30M x 4.8
    # = 180 + 144: 3369 CNY a month. 12 months from Jul 9 end on 2025-07-08: 23/31 of July,
    # 11 full months, 8/31 of July 2025 = exactly 12 months.
    assert current["total_display"] == pytest.approx(3369 * (23 / 31 + 11 + 8 / 31))
    assert current["has_unpriced"] is False
    assert current["rank"] is not None
    domestic = [s for s in body["summary"] if s["candidate"] in {"deepseek", "zhipu", "alibaba"}]
    assert domestic and all(s["rank"] is not None for s in domestic)
    assert all(s["savings_vs_current_display"] is not None for s in domestic)
    claimed = {o["provider"] for o in body["offers"] if o["applied"]}
    assert "zhipu" in claimed  # the July 2024 migration offers are claimed on the switch date
    gaps = {g["source_model"]: g for g in body["history"]["list_vs_billed"]}
    # 42 days x (70 + 31.5) CNY billed for gpt-4o; no CNY list price, so no gap is invented
    assert gaps["gpt-4o-2024-05-13-regional"]["billed_native"] == pytest.approx(4263.0)
    assert gaps["gpt-4o-2024-05-13-regional"]["list_display"] is None


def test_dashboard_says_the_current_provider_is_priced_at_the_bill(seeded, client: Client) -> None:
    response = upload(client, "azure_china_mca_2024-05-20_2024-06-30.csv")
    page = client.get(response["Location"], {"s": "1", "switch": "2024-07-09", "currency": "CNY"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "your bill's effective rates</b> (2024-06)" in html
    assert 'id="list-vs-billed"' in html
    page = client.get(response["Location"], {"s": "1", "switch": "2024-07-09", "billed": "0"})
    assert "your current provider at list prices" in page.content.decode()
