"""``manage.py seed_catalog [--reset]``: load fixtures/catalog into the database."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.seed import SeedError, load_seed


class Command(BaseCommand):
    help = (
        "Load the seed catalog (providers, models, prices, offers, exchange rates, "
        "equivalents). Rows edited in the admin are kept unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Also restore seed rows that staff edited in the admin.",
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        try:
            summary = load_seed(reset=reset)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
        verdict = "no changes" if summary.changed == 0 else f"{summary.changed} rows changed"
        self.stdout.write(self.style.SUCCESS(f"Seed catalog loaded: {verdict}."))
