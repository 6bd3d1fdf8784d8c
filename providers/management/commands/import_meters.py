"""``manage.py import_meters FILE [--reset]``: load meter rules from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.meters import COLUMNS, MeterFileError, load_meter_rules
from providers.models import Origin


class Command(BaseCommand):
    help = (
        "Load cloud-bill meter rules (which meter is which model and token kind) from a CSV "
        f"with the columns {', '.join(COLUMNS)} (the shape of fixtures/catalog/meters.csv). "
        "Rows are matched by bill + pattern; rows edited in the admin are kept unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--reset", action="store_true", help="Also overwrite rules staff edited in the admin."
        )

    def handle(self, *args, file: Path, reset: bool = False, **options) -> None:
        try:
            counts = load_meter_rules(path=file, reset=reset, origin=Origin.IMPORT)
        except MeterFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Meter rules: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged, {counts.kept} kept (edited in the admin)."
            )
        )
