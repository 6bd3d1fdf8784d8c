"""purge_profiles: profiles past the retention period go, with their rows; younger ones stay."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from dashboard import profile_store
from dashboard.engine.usage import read_usage
from dashboard.models import UsageDay, UsageProfile
from tests.conftest import PINNED_TODAY
from tests.dashboard.conftest import SMALL_GENERIC_CSV

pytestmark = pytest.mark.django_db


def profile_aged(days: float, name: str) -> UsageProfile:
    frame, report = read_usage(SMALL_GENERIC_CSV.encode(), filename=name, today=PINNED_TODAY)
    profile = profile_store.store_profile(frame, report, file_name=name)
    profile.created_at = timezone.now() - dt.timedelta(days=days)
    profile.save(update_fields=["created_at"])
    return profile


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_profiles", *args, stdout=out)
    return out.getvalue()


@override_settings(PROFILE_RETENTION_DAYS=30)
def test_purge_removes_profiles_older_than_the_retention_period_with_their_rows() -> None:
    profile_aged(31, "old.csv")
    kept = profile_aged(29, "recent.csv")

    output = purge()

    assert output.strip() == "Deleted 1 profile older than 30 days."
    assert list(UsageProfile.objects.all()) == [kept]
    # each profile holds 3 rows; only the recent one's remain
    assert UsageDay.objects.count() == 3
    assert set(UsageDay.objects.values_list("profile_id", flat=True)) == {kept.pk}


def test_purge_days_option_overrides_the_setting() -> None:
    profile_aged(12, "a.csv")
    profile_aged(11, "b.csv")
    profile_aged(2, "c.csv")

    output = purge("--days", "10")

    assert output.strip() == "Deleted 2 profiles older than 10 days."
    assert list(UsageProfile.objects.values_list("file_name", flat=True)) == ["c.csv"]


def test_purge_with_nothing_old_deletes_nothing() -> None:
    profile_aged(1, "fresh.csv")

    output = purge("--days", "30")

    assert output.strip() == "Deleted 0 profiles older than 30 days."
    assert UsageProfile.objects.count() == 1


def test_purge_rejects_negative_days() -> None:
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        purge("--days", "-1")
