"""manage.py crosscheck_prices: where our seed prices and LiteLLM's or genai-prices' disagree
by more than 1%, with the date of each source's price."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from providers.importers.crosscheck import CrosscheckResult, crosscheck, format_table
from providers.importers.genai_prices import GENAI_PRICES, installed_providers, parse_providers
from providers.importers.litellm import LITELLM, parse_price_map
from providers.importers.records import Malformed, ParseResult

from .import_litellm import add_source_arguments, parse_day, read_options


class Command(BaseCommand):
    help = (
        "List every price of our sourced seed (rows in force on --date, default today) that "
        "differs by more than 1% after currency conversion from LiteLLM's price map (a file, "
        "a URL or --installed; the installed litellm package when none is given) and from "
        "the data bundled in the installed genai-prices package."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_source_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        wanted = {p.strip() for p in (options["provider"] or "").split(",") if p.strip()}
        for name, parsed, label in self._sources(options):
            models = [m for m in parsed.models if not wanted or m.provider_slug in wanted]
            self._report(name, label, day, crosscheck(models, day, source=name))

    def _sources(self, options: dict[str, Any]) -> list[tuple[str, ParseResult, str]]:
        sources = []
        explicit = options["source"] or options["installed"]
        try:
            data, label = read_options(options, default_installed=True)
            sources.append((LITELLM.name, parse_price_map(data), label))
        except CommandError as exc:
            if explicit:
                raise
            self.stdout.write(f"{LITELLM.name}: not compared ({exc})")
        try:
            providers, label = installed_providers()
            sources.append((GENAI_PRICES.name, parse_providers(providers), label))
        except Malformed as exc:
            self.stdout.write(f"{GENAI_PRICES.name}: not compared ({exc})")
        if not sources:
            raise CommandError("no price source to compare with")
        return sources

    def _report(self, name: str, label: str, day: Any, result: CrosscheckResult) -> None:
        self.stdout.write(
            f"Seed prices in force on {day} vs {name} ({label}), tolerance 1%: "
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
