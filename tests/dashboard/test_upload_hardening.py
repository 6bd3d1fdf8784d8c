"""Issue 11 at the page: totals that cannot wrap, the distinct-model limit, ids the columns
hold; every refusal stores nothing (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from dashboard import profile_store
from dashboard.engine.usage import UsageFileError, read_usage
from dashboard.models import UsageDay, UsageProfile
from tests.dashboard.conftest import GENERIC_HEADER, csv_file

pytestmark = pytest.mark.django_db


def assert_nothing_stored() -> None:
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0


@override_settings(UPLOAD_BACKGROUND_BYTES=10**9)  # 28 MB: read during the request here
def test_day_total_past_int64_answers_400_with_line_and_stores_nothing(client: Client) -> None:
    # 922,338 cells of 9,999,999,999,999 (each under the 10^13 limit) on one day sum past
    # 2^63 - 1 at the last row, line 922,339; before, SQLite answered 500 after committing.
    content = GENERIC_HEADER.encode() + b"2026-10-01,gpt-4o,9999999999999,1\n" * 922_338

    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})

    assert response.status_code == 400
    html = response.content.decode()
    assert "usage.csv, line 922339, column &#x27;input_tokens&#x27;" in html
    assert "summed up to this line pass 9,223,372,036,854,775,807" in html
    assert_nothing_stored()


@override_settings(MAX_SOURCE_MODELS=3)
def test_more_distinct_models_than_max_source_models_answers_413(client: Client) -> None:
    content = GENERIC_HEADER + "".join(f"2026-10-01,model-{i},1,1\n" for i in range(4))

    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})

    assert response.status_code == 413
    assert "the file has 4 distinct model ids; the limit is 3 per upload" in (
        response.content.decode()
    )
    assert_nothing_stored()


@override_settings(MAX_SOURCE_MODELS=3)
def test_models_at_max_source_models_are_stored(client: Client) -> None:
    content = GENERIC_HEADER + "".join(f"2026-10-01,model-{i},1,1\n" for i in range(3))

    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})

    assert response.status_code == 302
    assert UsageDay.objects.count() == 3


def test_ids_at_the_column_limits_are_stored_whole() -> None:
    content = (
        "date,model,provider,input_tokens,output_tokens\n"
        f"2026-10-01,{'m' * 300},{'p' * 100},1,1\n"
    )
    frame, report = read_usage(content.encode(), filename="usage.csv")
    profile = profile_store.store_profile(frame, report, file_name="usage.csv")

    day = UsageDay.objects.get(profile=profile)
    assert (day.source_model, day.source_provider) == ("m" * 300, "p" * 100)


def _frame(**overrides: object) -> tuple[pd.DataFrame, object]:
    frame, report = read_usage(
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n2026-10-02,gpt-4o,1,1\n").encode(),
        filename="usage.csv",
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame, report


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tokens_output": [1, -5]}, "a tokens_output total is negative (-5)"),
        ({"tokens_cache_read": [2**62, 2**62]}, "the tokens_cache_read figures sum past"),
        ({"reported_cost": [float("inf"), 1.0]}, "a billed cost is not a finite number"),
    ],
)
def test_store_refuses_a_frame_it_could_not_total_and_stores_nothing(
    overrides: dict[str, object], message: str
) -> None:
    frame, report = _frame(**overrides)

    with pytest.raises(UsageFileError, match=re.escape(message)):
        profile_store.store_profile(frame, report, file_name="usage.csv")

    assert_nothing_stored()
