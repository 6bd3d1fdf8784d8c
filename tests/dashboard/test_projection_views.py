"""The projection dashboard, its htmx fragment, CSV export and JSON API: the numbers a user
sees, worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from dashboard.engine.scenario import Scenario
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


def test_first_visit_uses_defaults_and_shows_results(client: Client, monkeypatch) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: dt.date(2026, 11, 30))
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]))
    assert response.status_code == 200
    scenario_used = response.context["scenario"]
    assert scenario_used.switch_date == dt.date(2026, 11, 30)  # switching today
    assert scenario_used.horizon_months == 12 and scenario_used.display_currency == "USD"
    assert scenario_used.eligibility == frozenset({"openai_migrants", "new_customers"})
    # ... and the results are there: DeepSeek ranked first, 12 months of 30.667M x $0.70
    summary = {s.candidate: s for s in response.context["outcome"].projection.summary}
    assert summary["deepseek"].rank == 1
    assert summary["deepseek"].total_display == pytest.approx(12 * 21.4667, abs=0.01)
    assert 'id="ranking"' in response.content.decode()


def test_unknown_ids_are_left_out_and_identifying_them_compares_them(client: Client) -> None:
    catalog()
    p = profile(model="our-internal-alias")
    unknown = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario())
    context = unknown.context
    assert context["unresolved_models"] == ["our-internal-alias"]
    # Nothing the catalog knows: no provider is ranked (and none shown at $0.00)
    assert context["outcome"].projection.summary == []
    assert context["comparison"].status == "nothing_identified"
    assert 'id="nothing-identified"' in unknown.content.decode()

    # The catalog API's id of a model identifies it
    identified = client.get(
        reverse("profiles:dashboard", args=[p.pk]),
        scenario(identify="our-internal-alias::openai/gpt-4o-mini"),
    ).context
    current = {s.candidate: s for s in identified["outcome"].projection.summary}["current"]
    assert current.total_display == pytest.approx(23.0)


def test_map_and_identify_accept_the_catalog_api_id_and_internal_keys(client: Client) -> None:
    catalog()
    p = profile()
    chat = LLMModel.objects.get(model_id="deepseek-chat")
    url = reverse("api:projection", args=[p.pk])
    for target in ("deepseek/deepseek-chat", "DeepSeek/DEEPSEEK-CHAT", str(chat.pk)):
        body = client.get(url, {"switch": SWITCH, "horizon": "1", "map": f"gpt-4o-mini-2024-07-18::{target}"}).json()
        deepseek = next(s for s in body["summary"] if s["candidate"] == "deepseek")
        assert deepseek["mappings"][0]["reason"] == "override", target
    bad = client.get(url, {"map": "gpt-4o-mini-2024-07-18::deepseek/no-such-model"})
    assert bad.status_code == 400
    assert "'deepseek/no-such-model' (for gpt-4o-mini-2024-07-18) is not a model of the catalog" in bad.json()["errors"]["map"]
    assert client.get(url, {"map": "gpt-4o-mini-2024-07-18::999999"}).status_code == 400
    # identify takes the same two spellings: an id the catalog does not know becomes that model
    unknown = profile(model="our-internal-alias")
    mini = LLMModel.objects.get(model_id="gpt-4o-mini")
    for target in ("openai/gpt-4o-mini", str(mini.pk)):
        body = client.get(reverse("api:projection", args=[unknown.pk]),
                          {"switch": SWITCH, "horizon": "1", "identify": f"our-internal-alias::{target}"}).json()
        current = next(s for s in body["summary"] if s["candidate"] == "current")
        assert current["total_display"] == pytest.approx(23.0), target


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


def read_csv(response) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", keep_default_na=True)


def test_results_csv_is_one_tidy_table_pandas_reads_back(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:results_csv", args=[p.pk]), scenario(horizon="2"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    frame = read_csv(response)
    # one row per candidate x month: current, OpenAI, DeepSeek x Nov, Dec
    assert len(frame) == 6
    assert list(frame.columns[:6]) == ["provider", "candidate", "rank", "ranked", "month", "display_currency"]
    row = frame[(frame["candidate"] == "deepseek") & (frame["month"] == "2026-11")].iloc[0]
    # November on DeepSeek: 30.667M x (0.28 + 0.42) = $21.47
    assert row["cost"] == pytest.approx(21.4667, abs=1e-3)
    assert row["tokens_input_uncached"] == pytest.approx(30_666_666.67, abs=1)
    assert row["display_currency"] == "USD" and row["provider"] == "DeepSeek"


def test_summary_csv_has_one_row_per_candidate_and_empty_cells_for_unknown_figures(client: Client) -> None:
    catalog()
    Provider.objects.create(slug="nowhere", name="Nowhere AI", country="CN", region="mainland_china",
                            billing_currency="CNY")
    p = profile()
    response = client.get(reverse("profiles:summary_csv", args=[p.pk]), scenario(provider=["deepseek", "nowhere"]))
    assert response.content.startswith("\ufeff".encode())
    frame = read_csv(response).set_index("candidate")
    assert set(frame.index) == {"current", "deepseek", "nowhere"}
    assert frame.loc["deepseek", "total"] == pytest.approx(21.4667, abs=1e-3)
    assert frame.loc["deepseek", "savings_vs_current"] == pytest.approx(1.5333, abs=1e-3)
    assert frame.loc["deepseek", "coverage_pct"] == pytest.approx(100.0)
    # Nowhere has no model at all: its total is an empty cell (NaN), never 0
    assert frame.loc["nowhere", "status"] == "not ranked"
    assert pd.isna(frame.loc["nowhere", "total"])
    assert "no model of this tier" in frame.loc["nowhere", "lacks"]


def test_csv_text_is_formula_safe(client: Client) -> None:
    catalog()
    # An alias the catalog knows keeps the exported id in the models column
    LLMModel.objects.filter(model_id="gpt-4o-mini").update(aliases=["=HYPERLINK(1)"])
    p = profile(model="=HYPERLINK(1)")
    cells = {}
    for name in ("profiles:summary_csv", "profiles:results_csv"):
        response = client.get(reverse(name, args=[p.pk]), scenario())
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        cells[name] = [cell for row in rows for cell in row]
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells[name])
    # the models cell "=HYPERLINK(1) -> ..." would run as a formula: it gets a leading quote
    assert any(cell.startswith("'=HYPERLINK(1) -> gpt-4o-mini") for cell in cells["profiles:summary_csv"])


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
    total = {s["candidate"]: s["total_display"] for s in before["summary"]}
    assert total["deepseek"] == pytest.approx(30.6667 * (0.28 + 0.42), abs=1e-3)
    total = {s["candidate"]: s["total_display"] for s in after["summary"]}
    assert total["deepseek"] == pytest.approx(30.6667 * (0.56 + 0.42), abs=1e-3)


def test_the_summary_line_says_the_exact_horizon_dates(client: Client) -> None:
    catalog()
    p = profile()
    html = client.get(reverse("profiles:dashboard", args=[p.pk]),
                      scenario(switch="2026-11-30", horizon="12")).content.decode()
    # 12 months from Nov 30 end the day before Nov 30 a year later
    assert "From 2026-11-30 to 2027-11-29 (12 months)" in html


def test_one_scaled_day_of_baseline_is_not_called_days(client: Client) -> None:
    catalog()
    frame, report = read_usage(
        b"date,model,input_tokens,output_tokens,provider\n2026-10-05,gpt-4o-mini,1000,1000,openai\n",
        filename="one-day.csv", today=dt.date(2026, 11, 29),
    )
    p = store_profile(frame, report, file_name="one-day.csv")
    html = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario()).content.decode()
    assert "1 day scaled to a month" in html and "1 days" not in html


def test_azure_usage_is_labelled_with_azure_not_openai(client: Client) -> None:
    catalog()
    azure = Provider.objects.create(slug="azure-openai", name="Azure OpenAI", country="US", region="global",
                                    billing_currency="USD")
    mini = LLMModel.objects.create(provider=azure, model_id="gpt-4o-mini", display_name="GPT-4o mini (Azure)",
                                   tier="economy")
    Price.objects.create(model=mini, effective_from=dt.date(2024, 1, 1), currency="USD",
                         input_per_mtok=Decimal("0.165"), output_per_mtok=Decimal("0.66"), verification="verified-official")
    frame, report = read_usage(usage_csv().replace(b",openai\n", b",azure\n"), filename="azure.csv",
                               today=dt.date(2026, 11, 29))
    p = store_profile(frame, report, file_name="azure.csv")
    summary = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario()).context["outcome"].projection.summary
    current = next(s for s in summary if s.candidate == "current")
    assert current.label == "Current (Azure OpenAI)"
    # priced at Azure's own list price: 30.667M x (0.165 + 0.66) = $25.30
    assert current.total_display == pytest.approx(25.30, abs=1e-3)


def test_the_july_2024_preset_keeps_currency_growth_and_horizon(client: Client) -> None:
    catalog()
    p = profile()
    response = client.get(reverse("profiles:dashboard", args=[p.pk]),
                          {"s": "1", "currency": "CNY", "growth": "5", "horizon": "24", "elig": "verified_accounts"})
    link = QueryDict(response.context["preset_query"])
    assert (link["currency"], link["growth"], link["horizon"]) == ("CNY", "5", "24")
    assert link["switch"] == "2024-07-09"
    assert sorted(link.getlist("elig")) == ["new_customers", "openai_migrants"]
    assert 'id="preset-july-2024"' in response.content.decode()


def test_a_hand_written_link_is_honoured_without_s(client: Client) -> None:
    catalog()
    p = profile()
    context = client.get(reverse("profiles:dashboard", args=[p.pk]),
                         {"switch": SWITCH, "horizon": "2", "currency": "CNY"}).context
    assert context["form"].is_bound
    used = context["scenario"]
    assert (used.horizon_months, used.display_currency, used.switch_date) == (2, "CNY", dt.date(2026, 11, 1))
    # without s=1 a missing box means the default, not "unchecked"
    assert used.eligibility == frozenset({"openai_migrants", "new_customers"})


def test_s_marks_unchecked_boxes_and_elig_none_means_no_eligibility(client: Client) -> None:
    catalog()
    p = profile()
    url = reverse("profiles:dashboard", args=[p.pk])
    assert client.get(url, {"s": "1", "switch": SWITCH}).context["scenario"].eligibility == frozenset()
    assert client.get(url, {"switch": SWITCH, "elig": "none"}).context["scenario"].eligibility == frozenset()
    body = client.get(reverse("api:projection", args=[p.pk]), {"elig": "none"}).json()
    assert body["scenario"]["eligibility"] == []
    default = client.get(reverse("api:projection", args=[p.pk])).json()
    assert default["scenario"]["eligibility"] == ["new_customers", "openai_migrants"]
    assert default["scenario"]["eligibility"] == sorted(Scenario().eligibility)  # the engine's


def test_a_cost_only_export_says_it_needs_tokens_and_shows_what_was_billed(client: Client) -> None:
    catalog()
    path = Path(__file__).resolve().parents[2] / "fixtures" / "usage" / "claude_api_cost_2025_12.csv"
    frame, report = read_usage(path, filename=path.name, today=dt.date(2026, 11, 29))
    p = store_profile(frame, report, file_name=path.name)
    response = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="no-token-counts"' in html and "money but no token counts" in html
    assert 'id="ranking"' not in html and "$0.00" not in html
    assert 'id="chart-monthly"' not in html  # no empty cost chart either
    billed = response.context["outcome"].billed_table
    assert billed.rows and all(label.endswith("(USD)") for label, _ in billed.rows)
    # the table adds up to the export's whole bill
    assert sum(v or 0 for _, values in billed.rows for v in values) == pytest.approx(float(frame["reported_cost"].sum()))
    body = client.get(reverse("api:projection", args=[p.pk]), {"switch": SWITCH}).json()
    assert body["summary"] == [] and body["comparison"]["status"] == "no_token_counts"


def test_unknown_usage_is_listed_as_left_out_and_the_rest_is_ranked(client: Client) -> None:
    catalog()
    lines = usage_csv().decode().splitlines()
    # one more model the catalog does not know, 9.2M output tokens over the 92 days
    extra = [f"{line.split(',')[0]},mystery-70b,0,100000,openai" for line in lines[1:]]
    frame, report = read_usage("\n".join(lines + extra).encode() + b"\n", filename="mixed.csv",
                               today=dt.date(2026, 11, 29))
    p = store_profile(frame, report, file_name="mixed.csv")
    response = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario())
    comparison = response.context["comparison"]
    # November: 61.333M compared of 61.333M + 3.0667M (9.2M / 3 months)
    assert comparison.compared_pct == pytest.approx(61.3333 / 64.4 * 100, abs=0.01)
    html = response.content.decode()
    assert 'id="left-out-table"' in html and "mystery-70b" in html and "3.07M" in html
    summary = {s.candidate: s for s in response.context["outcome"].projection.summary}
    assert summary["deepseek"].rank is not None
    assert summary["deepseek"].total_display == pytest.approx(21.4667, abs=1e-3)
    assert summary["deepseek"].coverage_pct == pytest.approx(61.3333 / 64.4 * 100, abs=0.01)


def test_an_unused_offer_links_to_the_mapping_that_claims_it(client: Client) -> None:
    catalog()
    deepseek = Provider.objects.get(slug="deepseek")
    reasoner = LLMModel.objects.create(provider=deepseek, model_id="deepseek-reasoner", display_name="R1", tier="frontier")
    Price.objects.create(model=reasoner, effective_from=dt.date(2024, 1, 1), currency="USD",
                         input_per_mtok=Decimal("0.55"), output_per_mtok=Decimal("2.19"), verification="verified-official")
    offer = Offer.objects.create(provider=deepseek, name="R1 trial", free_tokens=1_000_000, eligibility="everyone",
                                 starts_on=dt.date(2026, 1, 1), verification="verified-official")
    offer.eligible_models.add(reasoner)
    p = profile()
    url = reverse("profiles:dashboard", args=[p.pk])
    context = client.get(url, scenario(growth="5")).context
    (row,) = [r for r in context["offer_rows"] if r["offer"].name == "R1 trial"]
    # R1: 30.667M x ($0.55 + $2.19) = $84 less at most 1M free tokens, against chat's $21.47
    assert not row["offer"].applied
    assert str(row["offer"].hint) == "map gpt-4o-mini-2024-07-18 to deepseek-reasoner"
    link = QueryDict(row["hint_url"].lstrip("?"))
    assert link.getlist("map") == ["gpt-4o-mini-2024-07-18::deepseek/deepseek-reasoner"]
    assert link["growth"] == "5"  # the rest of the scenario is kept
    followed = client.get(url + row["hint_url"]).context
    (claimed,) = [r for r in followed["offer_rows"] if r["offer"].name == "R1 trial"]
    assert claimed["offer"].applied


def test_the_api_mappings_carry_the_target_context_window_and_unknowns_are_null(client: Client) -> None:
    catalog()
    LLMModel.objects.filter(model_id="deepseek-chat").update(context_window=131072)
    Provider.objects.create(slug="nowhere", name="Nowhere AI", country="CN", region="mainland_china",
                            billing_currency="CNY")
    p = profile()
    body = client.get(reverse("api:projection", args=[p.pk]),
                      {"switch": SWITCH, "horizon": "1", "provider": ["deepseek", "nowhere"]}).json()
    summary = {s["candidate"]: s for s in body["summary"]}
    assert summary["deepseek"]["mappings"][0]["context_window"] == 131072
    assert summary["deepseek"]["coverage_pct"] == pytest.approx(100.0)
    assert summary["nowhere"]["total_display"] is None  # unknown, never 0
    assert summary["nowhere"]["rank"] is None
    assert summary["nowhere"]["lacks"][0]["code"] == "lacks_model"
    assert body["horizon"] == {"start": SWITCH, "end": "2026-11-30", "months": 1}

