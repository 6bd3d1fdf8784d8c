"""The meter table: seeded from fixtures/catalog/meters.csv, edited in the admin, importable,
and handed to the usage readers as plain data."""

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from dashboard.engine.usage import read_usage
from providers.meters import MeterFileError, load_meter_rules, meter_rules
from providers.models import LLMModel, MeterRule, Origin
from providers.seed import FIXTURE_DIR, SeedSummary, load_seed

from .conftest import change_url

pytestmark = pytest.mark.django_db
CLOUD = Path(__file__).resolve().parents[2] / "fixtures" / "usage" / "cloud"
HEADER = "bill,pattern,provider,model_id,token_kind,batch,tokens_per_unit,priority,source,notes\n"


def seed_rows() -> int:
    with (FIXTURE_DIR / "meters.csv").open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_the_seed_loads_every_meter_rule_and_a_second_load_changes_nothing(
    seeded: SeedSummary,
) -> None:
    assert MeterRule.objects.filter(origin=Origin.SEED).count() == seed_rows()
    rule = MeterRule.objects.get(bill="azure", pattern=r"gpt[- ]4o[- ]0806[- ]inp[- ]glbl( tokens)?")
    assert (rule.model.provider.slug, rule.model.model_id) == ("azure-openai", "gpt-4o-2024-08-06")
    counts = load_meter_rules(FIXTURE_DIR)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, seed_rows())


def test_rules_from_the_database_identify_an_azure_bill(seeded: SeedSummary) -> None:
    frame, report = read_usage(
        CLOUD / "azure_ea_costdetails_2026-05.csv", today=dt.date(2026, 11, 29),
        meter_rules=meter_rules(),
    )
    assert "gpt-4o-2024-08-06" in set(frame["source_model"])
    # 1,200,000 + 800,000 uncached input tokens over the two days
    assert frame.loc[frame["source_model"] == "gpt-4o-2024-08-06",
                     "tokens_input_uncached"].sum() == 2_000_000


def test_an_admin_row_fixes_a_new_meter_spelling_and_the_seed_keeps_it(
    seeded: SeedSummary, staff_client: Client
) -> None:
    gpt5_model = LLMModel.objects.get(provider__slug="azure-openai", model_id="gpt-4o-2024-11-20")
    response = staff_client.post(
        reverse("admin:providers_meterrule_add"),
        {"bill": "azure", "pattern": r"gpt 5 inpt glbl 1m tokens", "model": gpt5_model.pk,
         "token_kind": "input", "priority": "100"},
    )
    assert response.status_code == 302, response.content
    frame, report = read_usage(
        CLOUD / "azure_ea_costdetails_2026-05.csv", today=dt.date(2026, 11, 29),
        meter_rules=meter_rules(),
    )
    assert "GPT 5 Inpt Glbl 1M Tokens" not in set(frame["source_model"])
    load_seed()
    assert MeterRule.objects.get(pattern=r"gpt 5 inpt glbl 1m tokens").origin == Origin.ADMIN


def test_an_admin_edit_of_a_seed_rule_is_kept_by_the_next_seed(
    seeded: SeedSummary, admin_edit
) -> None:
    rule = MeterRule.objects.get(bill="azure", pattern=r".*\b(inp|inpt|input)\b.*")
    response = admin_edit(rule, priority=60)
    assert response.status_code == 302
    counts = load_meter_rules(FIXTURE_DIR)
    rule.refresh_from_db()
    assert (rule.priority, rule.origin, counts.kept) == (60, Origin.ADMIN, 1)


def test_the_admin_refuses_a_pattern_that_is_not_a_regular_expression(
    seeded: SeedSummary, staff_client: Client
) -> None:
    response = staff_client.post(
        reverse("admin:providers_meterrule_add"),
        {"bill": "azure", "pattern": "gpt(4o", "token_kind": "input", "priority": "100"},
    )
    assert response.status_code == 200
    assert "is not a valid regular expression" in response.content.decode()
    assert not MeterRule.objects.filter(pattern="gpt(4o").exists()


def test_a_meter_that_is_not_billed_per_token_cannot_name_a_model(seeded: SeedSummary) -> None:
    model = LLMModel.objects.get(provider__slug="azure-openai", model_id="gpt-4o-2024-11-20")
    rule = MeterRule(bill="azure", pattern="ptu.*", token_kind="not_tokens", model=model)
    with pytest.raises(ValidationError, match="no model"):
        rule.full_clean()


def test_the_admin_lists_and_searches_meter_rules(
    seeded: SeedSummary, staff_client: Client
) -> None:
    url = reverse("admin:providers_meterrule_changelist")
    response = staff_client.get(url, {"q": "0806"})
    assert response.status_code == 200
    assert "gpt-4o-2024-08-06" in response.content.decode()
    rule = MeterRule.objects.first()
    assert staff_client.get(change_url(rule)).status_code == 200


def test_import_command_loads_a_file_and_marks_rows_imported(
    seeded: SeedSummary, tmp_path: Path
) -> None:
    path = tmp_path / "more_meters.csv"
    path.write_text(
        HEADER + "azure,o3 0416 inp glbl tokens,,,input,false,,100,prices.azure.com,\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_meters", str(path), stdout=out)
    assert "1 created" in out.getvalue()
    assert MeterRule.objects.get(pattern="o3 0416 inp glbl tokens").origin == Origin.IMPORT


def test_a_bad_meter_row_names_file_and_line_and_stores_nothing(
    seeded: SeedSummary, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "azure,ok pattern,,,input,false,,100,,\n"
        + "azure,other,azure-openai,no-such-model,input,false,,100,,\n",
        encoding="utf-8",
    )
    before = MeterRule.objects.count()
    with pytest.raises(CommandError, match=r"bad.csv:3: no catalog model azure-openai/no-such-model"):
        call_command("import_meters", str(path))
    assert MeterRule.objects.count() == before
    with pytest.raises(MeterFileError, match="unknown: colour"):
        bad_header = tmp_path / "header.csv"
        bad_header.write_text(HEADER.rstrip("\n") + ",colour\n", encoding="utf-8")
        load_meter_rules(path=bad_header)


def test_a_seed_rule_that_left_the_file_is_deleted_and_an_imported_one_kept(
    seeded: SeedSummary, tmp_path: Path
) -> None:
    imported = MeterRule.objects.create(
        bill="azure", pattern="imported only", token_kind="input", origin=Origin.IMPORT
    )
    (tmp_path / "meters.csv").write_text(
        HEADER + "azure,kept pattern,,,input,false,,100,,\n", encoding="utf-8"
    )
    counts = load_meter_rules(tmp_path)
    assert (counts.created, counts.removed) == (1, seed_rows())
    assert set(MeterRule.objects.values_list("pattern", flat=True)) == {
        "kept pattern", imported.pattern,
    }


def test_reset_restores_the_seed_over_an_admin_edit(seeded: SeedSummary, admin_edit) -> None:
    rule = MeterRule.objects.get(bill="azure", pattern=r".*\b(inp|inpt|input)\b.*")
    seeded_priority = rule.priority
    assert admin_edit(rule, priority=60).status_code == 302
    counts = load_meter_rules(FIXTURE_DIR, reset=True)
    rule.refresh_from_db()
    assert (rule.priority, rule.origin, counts.updated, counts.kept) == (
        seeded_priority, Origin.SEED, 1, 0,
    )


def test_a_row_the_model_refuses_names_its_line_and_stores_nothing(
    seeded: SeedSummary, tmp_path: Path
) -> None:
    path = tmp_path / "bad_regex.csv"
    path.write_text(
        HEADER + "azure,fine,,,input,false,,100,,\n" + "azure,gpt(4o,,,input,false,,100,,\n",
        encoding="utf-8",
    )
    before = MeterRule.objects.count()
    with pytest.raises(MeterFileError, match=r"bad_regex.csv:3: pattern: .*regular expression"):
        load_meter_rules(path=path, origin=Origin.IMPORT)
    assert MeterRule.objects.count() == before


def test_a_catalog_directory_without_meters_loads_nothing_but_a_missing_file_is_an_error(
    db: None, tmp_path: Path
) -> None:
    assert load_meter_rules(tmp_path).changed == 0
    with pytest.raises(MeterFileError, match="file not found"):
        load_meter_rules(path=tmp_path / "absent.csv")
