"""manage.py import_genai_prices: import the genai-prices package's data as dated history."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from providers.importers.genai_prices import GENAI_PRICES, installed_providers, parse_providers
from providers.importers.price_history import import_price_map, record_failed_run
from providers.importers.records import Malformed

from .import_litellm import parse_day, provider_filter


class Command(BaseCommand):
    help = (
        "Import the price data bundled in the installed genai-prices package (no network): "
        "dated prices start on their dates, changed prices close the old row and open a "
        "new one; seed/admin prices are kept and disagreements reported."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--provider", help="comma-separated genai-prices provider ids, e.g. openai,deepseek"
        )
        parser.add_argument("--date", help="the import date, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change without writing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        try:
            providers, label = installed_providers()
        except Malformed as exc:
            record_failed_run("installed genai-prices", dry_run=options["dry_run"], error=str(exc))
            raise CommandError(str(exc)) from exc
        parsed = parse_providers(providers, provider_filter(options["provider"]))
        report = import_price_map(
            parsed, source=label, day=day, kind=GENAI_PRICES, dry_run=options["dry_run"]
        )
        if options["verbosity"] >= 1:
            limit = None if options["verbosity"] >= 2 else 20
            self.stdout.write(report.summary(list_limit=limit))
