"""manage.py crosscheck_prices: where our seed prices and LiteLLM's disagree by > 1%."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from providers.importers.crosscheck import crosscheck, format_table
from providers.importers.litellm import parse_price_map

from .import_litellm import add_source_arguments, parse_day, provider_filter, read_options


class Command(BaseCommand):
    help = (
        "List every model of our sourced seed (rows in force on --date, default today) whose "
        "price differs from LiteLLM's by more than 1% after currency conversion. Reads the "
        "installed litellm package when no source is given."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_source_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        data, label = read_options(options, default_installed=True)
        parsed = parse_price_map(data, provider_filter(options["provider"]))
        result = crosscheck(parsed.models, day)
        self.stdout.write(
            f"Seed prices in force on {day} vs LiteLLM ({label}), tolerance 1%: "
            f"{result.compared_models} models in both"
        )
        if result.unconverted:
            self.stdout.write(
                f"Not compared, no exchange rate on or before {day}: {', '.join(result.unconverted)}"
            )
        if not result.found:
            self.stdout.write("No differences above 1%.")
            return
        models = len({(d.provider, d.model_id) for d in result.found})
        self.stdout.write(f"{len(result.found)} differing prices in {models} models:")
        self.stdout.write(format_table(result.found))
