"""Storing, loading and showing profiles: round trip, atomicity, sessions, delete, queries."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import process_memo, profile_store
from dashboard.engine.usage import read_usage
from dashboard.models import UsageDay, UsageProfile
from providers.models import LLMModel, Provider
from tests.dashboard.conftest import SAMPLES_DIR, SMALL_GENERIC_CSV, csv_file

# Uploads of dated exports: the clock is pinned (an export's days must not be in the future).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

MIXED_COST_CSV = (
    "date,model,provider,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,"
    "requests,batch,cost,currency\n"
    "2026-09-30,qwen-max,alibaba,700,0,0,70,7,false,0.5,CNY\n"
    "2026-09-30,qwen-max,alibaba,900,100,50,90,9,true,,CNY\n"
    "2026-10-01,glm-4,zhipu,1200,0,0,300,3,false,,USD\n"
)


def stored(content: str, *, session_key: str = "", name: str = "usage.csv") -> UsageProfile:
    frame, report = read_usage(content.encode(), filename=name)
    return profile_store.store_profile(frame, report, file_name=name, session_key=session_key)


def add_catalog_model(provider_slug: str, model_id: str, aliases: list[str] | None = None) -> None:
    provider, _ = Provider.objects.get_or_create(
        slug=provider_slug,
        defaults={
            "name": provider_slug.title(),
            "country": "US",
            "region": "international",
            "billing_currency": "USD",
        },
    )
    LLMModel.objects.create(
        provider=provider,
        model_id=model_id,
        display_name=model_id,
        tier="balanced",
        aliases=aliases or [],
    )


def many_models_csv(model_count: int) -> str:
    lines = ["date,model,input_tokens,output_tokens"]
    for day in ("2026-10-01", "2026-10-02"):
        lines += [f"{day},custom-model-{n},{n + 1},1" for n in range(model_count)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("content", [SMALL_GENERIC_CSV, MIXED_COST_CSV])
def test_load_frame_gives_back_exactly_the_stored_canonical_frame(content: str) -> None:
    frame, report = read_usage(content.encode(), filename="usage.csv")

    profile = profile_store.store_profile(frame, report, file_name="usage.csv")

    pd.testing.assert_frame_equal(profile_store.load_frame(profile), frame)
    pd.testing.assert_frame_equal(profile_store.load_frame(profile.pk), frame)


def test_load_frame_costs_one_query() -> None:
    profile = stored(many_models_csv(20))

    with CaptureQueriesContext(connection) as queries:
        frame = profile_store.load_frame(profile)

    assert len(queries) == 1
    # 20 models x 2 days
    assert len(frame) == 40


def test_profile_keeps_the_report_and_its_counts() -> None:
    profile = stored(MIXED_COST_CSV, session_key="abc12345")

    profile.refresh_from_db()
    assert profile.format == "generic"
    assert profile.rows_read == 3
    assert profile.rows_skipped == 0
    # qwen-max batch and non-batch rows stay apart: 3 canonical rows
    assert profile.day_count == 3
    assert str(profile.first_day) == "2026-09-30"
    assert str(profile.last_day) == "2026-10-01"
    assert profile.session_key == "abc12345"
    assert profile_store.report_of(profile).models == ["glm-4", "qwen-max"]


def test_store_profile_stores_nothing_when_a_later_batch_fails(monkeypatch) -> None:
    frame, report = read_usage(many_models_csv(5).encode(), filename="usage.csv")
    real_insert_batch = profile_store._insert_batch
    calls = []

    def fail_on_second_batch(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_insert_batch(rows)

    monkeypatch.setattr(profile_store, "STORE_BATCH_SIZE", 4)
    monkeypatch.setattr(profile_store, "_insert_batch", fail_on_second_batch)
    # PostgreSQL streams COPY text in chunks instead: fail on the second 200-byte chunk
    real_copy_chunk = profile_store._copy_chunk

    def fail_on_second_chunk(copy, chunk):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_copy_chunk(copy, chunk)

    monkeypatch.setattr(profile_store, "COPY_CHUNK_BYTES", 200)
    monkeypatch.setattr(profile_store, "_copy_chunk", fail_on_second_chunk)

    with pytest.raises(RuntimeError, match="disk full"):
        profile_store.store_profile(frame, report, file_name="usage.csv")

    # 5 models x 2 days = 10 rows in batches of 4 (or chunks of 200 bytes): the first batch
    # was written, then rolled back
    assert calls == ([200, 200] if connection.vendor == "postgresql" else [4, 4])
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0


def test_store_profile_writes_rows_in_batches(monkeypatch) -> None:
    frame, report = read_usage(many_models_csv(7).encode(), filename="usage.csv")
    monkeypatch.setattr(profile_store, "STORE_BATCH_SIZE", 4)
    chunks = []
    real_copy_chunk = profile_store._copy_chunk
    monkeypatch.setattr(
        profile_store,
        "_copy_chunk",
        lambda copy, chunk: chunks.append(chunk) or real_copy_chunk(copy, chunk),
    )

    with CaptureQueriesContext(connection) as queries:
        profile_store.store_profile(frame, report, file_name="usage.csv")

    if connection.vendor == "postgresql":
        # one COPY (14 CSV lines) instead of INSERTs; load_frame tests check the values
        inserts = [q["sql"] for q in queries if 'INSERT INTO "dashboard_usageday"' in q["sql"]]
        assert inserts == []
        assert len(chunks) == 1
        assert chunks[0].count(b"\n") == 14
    else:
        # 7 models x 2 days = 14 rows in batches of 4: 4 + 4 + 4 + 2
        inserts = [q["sql"] for q in queries if 'INSERT INTO "dashboard_usageday"' in q["sql"]]
        assert [sql.split(" times:")[0] for sql in inserts] == ["4", "4", "4", "2"]
    assert UsageDay.objects.count() == 14


def test_model_totals_add_up_each_source_model() -> None:
    profile = stored(MIXED_COST_CSV)

    totals = profile_store.model_totals(profile)

    assert totals == [
        {
            "source_provider": "alibaba",
            "source_model": "qwen-max",
            "requests": 16,  # 7 + 9
            "tokens_input_uncached": 1600,  # 700 + 900
            "tokens_cache_read": 100,
            "tokens_cache_write": 50,
            "tokens_output": 160,  # 70 + 90
            "reported_cost": 0.5,  # the batch row has no cost
            "reported_currency": "CNY",
        },
        {
            "source_provider": "zhipu",
            "source_model": "glm-4",
            "requests": 3,
            "tokens_input_uncached": 1200,
            "tokens_cache_read": 0,
            "tokens_cache_write": 0,
            "tokens_output": 300,
            "reported_cost": None,
            "reported_currency": None,
        },
    ]


def test_model_totals_refuse_to_add_up_two_currencies() -> None:
    profile = stored(
        "date,model,input_tokens,output_tokens,cost,currency\n"
        "2026-10-01,deepseek-chat,10,1,1.5,USD\n"
        "2026-10-02,deepseek-chat,10,1,7.0,CNY\n"
    )

    [row] = profile_store.model_totals(profile)

    assert row["reported_cost"] is None
    assert row["reported_currency"] == "mixed"


def test_source_models_resolve_against_catalog_ids_and_aliases() -> None:
    add_catalog_model("openai", "gpt-4o")
    add_catalog_model("zhipu", "glm-4-plus", aliases=["glm-4"])

    resolved, unresolved = profile_store.resolve_source_models(
        ["gpt-4o-2024-08-06", "glm-4", "qwen-max", "my-fine-tune"]
    )

    assert resolved == {"gpt-4o-2024-08-06": "openai/gpt-4o", "glm-4": "zhipu/glm-4-plus"}
    assert unresolved == ["my-fine-tune", "qwen-max"]


def test_profile_page_shows_report_totals_and_unresolved_models(client: Client) -> None:
    add_catalog_model("openai", "gpt-4o")
    profile = stored(SMALL_GENERIC_CSV, name="team_usage.csv")

    response = client.get(reverse("profiles:dashboard", args=[profile.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="usage-summary"' in html
    assert "team_usage.csv" in html
    assert "Generic usage CSV" in html
    assert "2026-10-01" in html and "2026-10-02" in html
    assert 'id="model-totals"' in html
    # gpt-4o-2024-08-06: 1000 + 3000 uncached input, 300 + 100 output
    assert "4,000" in html and ">400<" in html
    assert "openai/gpt-4o" in html
    assert 'id="unresolved-models"' in html
    assert "<code>deepseek-chat</code>" in html.split('id="unresolved-models"')[1]
    # a visitor who did not upload it may view it but gets no delete button
    assert reverse("profiles:delete", args=[profile.pk]) not in html


def test_profile_page_lists_skipped_rows_and_warnings(client: Client) -> None:
    profile = stored(SMALL_GENERIC_CSV)
    profile.report = {
        **profile.report,
        "rows_skipped": 2,
        "skipped": {"empty bucket": 2},
        "warnings": ["the file was GB18030, not UTF-8"],
    }
    profile.save()

    html = client.get(reverse("profiles:dashboard", args=[profile.pk])).content.decode()

    assert "2 × empty bucket" in html
    assert "the file was GB18030, not UTF-8" in html


def test_profile_page_queries_do_not_grow_with_the_number_of_models(
    client: Client, django_assert_max_num_queries
) -> None:
    small = stored(many_models_csv(2))
    large = stored(many_models_csv(40))
    client.get(reverse("profiles:dashboard", args=[small.pk]))  # warms the catalog snapshot

    counts = []
    for profile in (small, large):
        cache.clear()  # measure the cold path: the projection is computed, not cached,
        process_memo.clear_all()  # and the profile's frame and summary are read again
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("profiles:dashboard", args=[profile.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    cache.clear()
    process_memo.clear_all()
    with django_assert_max_num_queries(7):
        client.get(reverse("profiles:dashboard", args=[large.pk]))


def test_unknown_profile_is_404(client: Client) -> None:
    response = client.get("/profiles/6f1c1a52-3c4e-4a8e-9d55-0b8f4b8a9f10/")

    assert response.status_code == 404


def test_list_shows_only_the_profiles_of_this_browser_session(small_generic_file) -> None:
    mine, theirs = Client(), Client()
    mine.post(reverse("profiles:upload"), {"file": small_generic_file})
    theirs.post(reverse("profiles:upload"), {"file": csv_file(MIXED_COST_CSV, "their_usage.csv")})

    html = mine.get(reverse("profiles:list")).content.decode()

    assert "team_usage.csv" in html
    assert "their_usage.csv" not in html
    assert UsageProfile.objects.count() == 2


def test_list_without_a_session_shows_no_profiles(client: Client) -> None:
    stored(SMALL_GENERIC_CSV, session_key="someone-elses-session")

    response = client.get(reverse("profiles:list"))

    assert response.status_code == 200
    assert "No uploads from this browser yet" in response.content.decode()


def test_owner_deletes_a_profile_and_all_its_rows(client: Client, small_generic_file) -> None:
    client.post(reverse("profiles:upload"), {"file": small_generic_file})
    profile = UsageProfile.objects.get()
    page = client.get(reverse("profiles:dashboard", args=[profile.pk])).content.decode()
    assert reverse("profiles:delete", args=[profile.pk]) in page

    response = client.post(reverse("profiles:delete", args=[profile.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:list")
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0


def test_another_session_cannot_delete_a_profile(small_generic_file) -> None:
    owner, stranger = Client(), Client()
    owner.post(reverse("profiles:upload"), {"file": small_generic_file})
    stranger.get(reverse("profiles:list"))
    profile = UsageProfile.objects.get()

    response = stranger.post(reverse("profiles:delete", args=[profile.pk]))

    assert response.status_code == 404
    assert UsageProfile.objects.count() == 1
    assert UsageDay.objects.count() == 3


def test_delete_needs_post_and_csrf_token(small_generic_file) -> None:
    client = Client(enforce_csrf_checks=True)
    profile = stored(SMALL_GENERIC_CSV)

    assert client.get(reverse("profiles:delete", args=[profile.pk])).status_code == 405
    assert client.post(reverse("profiles:delete", args=[profile.pk])).status_code == 403
    assert UsageProfile.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "secrets"),
    [
        ("helicone_export_2026-09.csv", ["resp-1", "user-1", "messages", "role"]),
        (
            "litellm_spendlogs_2026-07.csv",
            ["9f2c4e7a1b3d5f60718293a4b5c6d7e8", "chatcmpl-A1", "Summarise", "10.0.0.8", "team-1"],
        ),
    ],
)
def test_stored_profile_keeps_no_keys_user_ids_or_request_bodies(name: str, secrets) -> None:
    path = SAMPLES_DIR / name
    assert all(secret in path.read_text(encoding="utf-8") for secret in secrets)

    profile = stored(path.read_text(encoding="utf-8"), name=name)

    assert profile.day_count > 0
    everything_stored = repr(list(UsageProfile.objects.values())) + repr(
        list(UsageDay.objects.values())
    )
    for secret in secrets:
        assert secret not in everything_stored


def test_admin_lists_profiles_read_only_for_staff(staff_client: Client) -> None:
    profile = stored(SMALL_GENERIC_CSV)
    changelist = staff_client.get(reverse("admin:dashboard_usageprofile_changelist"))
    assert changelist.status_code == 200 and profile.file_name in changelist.content.decode()
    detail = staff_client.get(reverse("admin:dashboard_usageprofile_change", args=[profile.pk]))
    assert detail.status_code == 200
    assert staff_client.get(reverse("admin:dashboard_usageprofile_add")).status_code == 403
