"""Delete usage profiles older than the retention period (run daily, e.g. from cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dashboard.models import UsageProfile


def purge_profiles(days: int, *, now: dt.datetime | None = None) -> int:
    """Delete profiles created more than `days` days ago, with their rows; return how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    _, per_model = UsageProfile.objects.filter(created_at__lt=cutoff).delete()
    return per_model.get(UsageProfile._meta.label, 0)


class Command(BaseCommand):
    help = "Delete usage profiles (and their daily rows) older than PROFILE_RETENTION_DAYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep profiles younger than this many days "
            "(default: settings.PROFILE_RETENTION_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.PROFILE_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        count = purge_profiles(days)
        self.stdout.write(
            f"Deleted {count} profile{'' if count == 1 else 's'} older than {days} days."
        )
