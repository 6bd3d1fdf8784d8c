"""manage.py import_litellm: import LiteLLM's price map as dated price history."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from providers.importers.litellm import LITELLM, parse_price_map
from providers.importers.litellm_source import SourceError, read_price_map
from providers.importers.price_history import import_price_map, record_failed_run


def add_source_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("source", nargs="?", help="a file path or an https:// URL")
    parser.add_argument(
        "--installed",
        action="store_true",
        help="read the price map bundled in the installed litellm package",
    )
    parser.add_argument(
        "--provider",
        help="comma-separated provider ids to keep (import_litellm: litellm_provider values, "
        "e.g. deepseek,dashscope; crosscheck_prices: our provider slugs)",
    )
    parser.add_argument("--date", help="the import date, YYYY-MM-DD (default: today)")
    parser.add_argument("--timeout", type=float, default=30.0, help="download timeout in seconds")


def parse_day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, got {value!r}") from exc


def read_options(options: dict[str, Any], *, default_installed: bool = False) -> tuple[dict, str]:
    installed = options["installed"] or (default_installed and not options["source"])
    try:
        return read_price_map(options["source"], installed=installed, timeout=options["timeout"])
    except SourceError as exc:
        raise CommandError(str(exc)) from exc


def provider_filter(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [p.strip() for p in value.split(",") if p.strip()]


class Command(BaseCommand):
    help = (
        "Import LiteLLM's model_prices_and_context_window.json as the price list of a day: "
        "changed prices close the old row and open a new one; seed/admin prices are kept "
        "and disagreements reported."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_source_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change without writing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        try:
            data, label = read_options(options)
        except CommandError as exc:
            source = "installed litellm" if options["installed"] else options["source"] or "(none)"
            record_failed_run(source, dry_run=options["dry_run"], error=str(exc))
            raise
        parsed = parse_price_map(data, provider_filter(options["provider"]))
        report = import_price_map(
            parsed, source=label, day=day, kind=LITELLM, dry_run=options["dry_run"]
        )
        limit = None if options["verbosity"] >= 2 else 20
        if options["verbosity"] >= 1:
            self.stdout.write(report.summary(list_limit=limit))
