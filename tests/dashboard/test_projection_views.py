"""The projection dashboard, its htmx fragment, CSV export and JSON API: the numbers a user
sees, worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.engine.usage import read_usage
from dashboard.models import UsageProfile
from dashboard.profile_store import store_profile
from providers.models import LLMModel, Offer, Price, Provider

pytestmark = pytest.mark.django_db

START = dt.date(2026, 8, 1)
END = dt.date(2026, 10, 31)  # three complete months: 31 + 30 + 31 = 92 days
SWITCH = "2026-11-01"


def catalog() -> None:
    openai = Provider.objects.create(slug="openai", name="OpenAI", country="US", region="international", billing_currency="USD")
    deepseek = Provider.objects.create(slug="deepseek", name="DeepSeek", country="CN", region="mainland_china", billing_currency="USD")
    mini = LLMModel.objects.create(provider=openai, model_id="gpt-4o-mini", display_name="GPT-4o mini", tier="economy",
                                   aliases=["gpt-4o-mini-2024-07-18"])
    chat = LLMModel.objects.create(provider=deepseek, model_id="deepseek-chat", display_name="DeepSeek chat", tier="economy")
    for model, inp, out in ((mini, "0.15", "0.60"), (chat, "0.28", "0.42")):
        Price.objects.create(model=model, effective_from=dt.date(2024, 1, 1), currency="USD",
                             input_per_mtok=Decimal(inp), output_per_mtok=Decimal(out), verification="verified-official")


def usage_csv(model: str = "gpt-4o-mini-2024-07-18", cost: bool = False) -> bytes:
    lines = ["date,model,input_tokens,output_tokens,provider" + (",cost,currency" if cost else "")]
    day = START
    while day <= END:
        # 1M input + 1M output a day; billed $0.80 a day (our list price gives $0.75)
        lines.append(f"{day},{model},1000000,1000000,openai" + (",0.80,USD" if cost else ""))
        day += dt.timedelta(days=1)
    return ("\n".join(lines) + "\n").encode()


def profile(model: str = "gpt-4o-mini-2024-07-18", cost: bool = False) -> UsageProfile:
    frame, report = read_usage(usage_csv(model, cost), filename="usage.csv", today=dt.date(2026, 11, 29))
    return store_profile(frame, report, file_name="usage.csv")


def scenario(**extra) -> dict:
    return {"s": "1", "switch": SWITCH, "horizon": "1", "growth": "0", "currency": "USD", **extra}


def test_dashboard_ranks_providers_with_hand_worked_totals(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario())
    assert response.status_code == 200
    summary = {s.candidate: s for s in response.context["outcome"].projection.summary}
    # Baseline: 92M input + 92M output over 3 months = 30.667M each a month.
    # November on OpenAI: 30.667 x (0.15 + 0.60) = $23.00
    assert summary["current"].total_display == pytest.approx(23.0)
    # On DeepSeek: 30.667 x (0.28 + 0.42) = $21.4667, saving $1.5333
    assert summary["deepseek"].total_display == pytest.approx(21.4667, abs=1e-3)
    assert summary["deepseek"].savings_vs_current_display == pytest.approx(1.5333, abs=1e-3)
    html = response.content.decode()
    assert "$23.00" in html and "$21.47" in html and "$1.53" in html


def test_growth_compounds_over_the_horizon_on_the_page(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario(horizon="2", growth="10"))
    summary = {s.candidate: s for s in response.context["outcome"].projection.summary}
    # November $23.00 (30 days) + December $23.00 x 1.1 spread over 31 days = $25.30 -> $48.30
    assert summary["current"].total_display == pytest.approx(48.30, abs=1e-6)


def test_htmx_request_returns_only_the_results_fragment(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and 'id="ranking"' in html and "chart-monthly-data" in html
    assert len(response.content) < 150_000


def test_bad_scenario_values_give_400_with_the_message_and_no_results(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario(horizon="61", growth="abc"),
                          headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="scenario-errors"' in html
    assert "less than or equal to 60" in html and "Enter a number" in html
    assert 'id="ranking"' not in html


def test_first_visit_uses_defaults_and_shows_results(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]))
    assert response.status_code == 200
    scenario_used = response.context["scenario"]
    assert scenario_used.horizon_months == 12 and scenario_used.display_currency == "USD"
    assert scenario_used.eligibility == frozenset({"openai_migrants", "new_customers"})


def test_mapping_override_and_model_identification_change_the_result(client: Client) -> None:
    catalog()
    p = profile(model="our-internal-alias")
    mini = LLMModel.objects.get(model_id="gpt-4o-mini")
    unknown = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario()).context
    assert unknown["unresolved_models"] == ["our-internal-alias"]
    current = {s.candidate: s for s in unknown["outcome"].projection.summary}["current"]
    assert current.has_unpriced  # unpriced is not free

    identified = client.get(reverse("profiles:dashboard", args=[p.pk]),
                            scenario(identify=f"our-internal-alias::{mini.pk}")).context
    current = {s.candidate: s for s in identified["outcome"].projection.summary}["current"]
    assert current.total_display == pytest.approx(23.0)


def test_mapping_to_a_model_of_another_provider_is_rejected(client: Client) -> None:
    catalog()
    p = profile()
    chat = LLMModel.objects.get(model_id="deepseek-chat")
    response = client.get(reverse("api:projection", args=[p.pk]), {"map": f"gpt-4o-mini-2024-07-18::{chat.pk}",
                                                                          "provider": "openai"})
    assert response.status_code == 200  # the override names the target's own provider: allowed
    bad = client.get(reverse("api:projection", args=[p.pk]), {"map": "gpt-4o-mini-2024-07-18::999999"})
    assert bad.status_code == 400 and "map" in bad.json()["errors"]


def test_offer_reduces_the_total_and_reports_its_pool(client: Client) -> None:
    catalog()
    p = profile()
    chat = LLMModel.objects.get(model_id="deepseek-chat")
    offer = Offer.objects.create(provider=chat.provider, name="10M free", free_tokens=10_000_000, eligibility="openai_migrants",
                                 starts_on=dt.date(2026, 1, 1), verification="verified-official")
    offer.eligible_models.add(chat)
    body = client.get(reverse("api:projection", args=[p.pk]), {"switch": SWITCH, "horizon": "1"}).json()
    deepseek = next(s for s in body["summary"] if s["candidate"] == "deepseek")
    # 10M free tokens of 61.333M; input and output are drawn together, so the free share is
    # 10/61.333 of the $21.4667 cost = $3.50 saved -> $17.9667
    assert deepseek["total_display"] == pytest.approx(17.9667, abs=1e-3)
    assert deepseek["free_tokens_used"] == pytest.approx(10_000_000)
    outcome = next(o for o in body["offers"] if o["name"] == "10M free")
    assert outcome["applied"] is True and outcome["pools"][0]["used"] == pytest.approx(10_000_000)


def test_reconciliation_against_the_bill_is_shown(client: Client) -> None:
    catalog()
    p = profile(cost=True)
    html = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario()).content.decode()
    # 92 days x $0.75 = $69.00 computed; 92 x $0.80 = $73.60 billed; (69 - 73.6) / 73.6 = -6.25%
    assert "TokenScope's cost for your OpenAI usage: <b>$69.00</b>" in html
    assert "your bill: <b>$73.60</b>" in html and "-6.2%" in html


def test_csv_download_is_an_attachment_with_neutralised_text(client: Client) -> None:
    catalog()
    p = profile(model="=HYPERLINK(1)")
    response = client.get(reverse("profiles:results_csv", args=[p.pk]), scenario())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    text = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in text)
    # the mapping cell "=HYPERLINK(1) -> ..." would run as a formula: it gets a leading quote
    assert any(cell.startswith("'=HYPERLINK(1) ->") for cell in text)
    summary = [row for row in rows if row and row[0] == "summary"]
    assert {row[2] for row in summary} >= {"DeepSeek"}


def test_csv_with_bad_parameters_is_400(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:results_csv", args=[p.pk]), scenario(currency="EUR"))
    assert response.status_code == 400 and b"currency" in response.content


def test_projection_api_echoes_the_scenario_and_rejects_bad_parameters(client: Client) -> None:
    catalog()
    p = profile()
    body = client.get(reverse("api:projection", args=[p.pk]), {"switch": SWITCH, "horizon": "1"}).json()
    assert body["scenario"]["switch_date"] == SWITCH and body["scenario"]["horizon_months"] == 1
    assert {s["candidate"] for s in body["summary"]} == {"current", "openai", "deepseek"}
    assert body["monthly"] and body["history"]["summary"]
    bad = client.get(reverse("api:projection", args=[p.pk]), {"horizon": "0", "currency": "EUR", "switch": "soon"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"horizon", "currency", "switch"}


def test_projection_follows_an_admin_price_change(client: Client) -> None:
    catalog()
    p = profile()
    url = reverse("api:projection", args=[p.pk])
    before = client.get(url, {"switch": SWITCH, "horizon": "1"}).json()
    price = Price.objects.get(model__model_id="deepseek-chat")
    price.input_per_mtok = Decimal("0.56")
    price.save()
    after = client.get(url, {"switch": SWITCH, "horizon": "1"}).json()
    total = {s["candidate"]: s["total_display"] for s in after["summary"]}
    assert total["deepseek"] == pytest.approx(30.6667 * (0.56 + 0.42), abs=1e-3)
    assert before != after
