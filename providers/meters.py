"""The meter table: loading it from CSV (seed and import) and handing it to the usage readers.

`fixtures/catalog/meters.csv` (columns `bill, pattern, provider, model_id, token_kind, batch,
tokens_per_unit, priority, source, notes`) is loaded by `seed_catalog` through
`load_meter_rules`; `manage.py import_meters FILE` loads another file of the same shape.
Rows are matched by (bill, pattern). Like the rest of the seed, a row staff edited in the admin
is kept (origin "admin") unless `reset`, and seed rows that left the file are deleted; imported
rows are marked origin "import" and never deleted by the seed.

`meter_rules()` is what the upload path passes to `read_usage(..., meter_rules=...)`: the
engine gets plain `dashboard.engine.usage.meters.MeterRule` values, never ORM objects.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from dashboard.engine.usage import meters as engine_meters

from .models import LLMModel, MeterBill, MeterRule, MeterTokenKind, Origin

COLUMNS = (
    "bill", "pattern", "provider", "model_id", "token_kind", "batch", "tokens_per_unit",
    "priority", "source", "notes",
)
FILE_NAME = "meters.csv"


class MeterFileError(Exception):
    """A meter row that cannot be loaded; names the file and line."""


@dataclass
class MeterCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def meter_rules() -> tuple[engine_meters.MeterRule, ...]:
    """Every meter rule as plain engine data, in one query."""
    rows = MeterRule.objects.values_list(
        "bill", "pattern", "token_kind", "model__model_id", "batch", "tokens_per_unit", "priority"
    )
    return tuple(
        engine_meters.MeterRule(
            bill=bill,
            pattern=pattern,
            token_kind=kind,
            model=model_id or "",
            batch=batch,
            tokens_per_unit=float(per_unit) if per_unit is not None else None,
            priority=priority,
        )
        for bill, pattern, kind, model_id, batch, per_unit, priority in rows
    )


def _read(path: Path, label: str) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise MeterFileError(f"{label}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        unknown = sorted(set(header) - set(COLUMNS))
        missing = [name for name in COLUMNS if name not in header]
        if unknown or missing:
            raise MeterFileError(
                f"{label}:1: expected the columns {', '.join(COLUMNS)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        return [
            (reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for row in reader
        ]


def _values(row: dict[str, str], where: str, models: dict[tuple[str, str], LLMModel]) -> dict:
    def fail(message: str) -> MeterFileError:
        return MeterFileError(f"{where}: {message}")

    if row["bill"] not in MeterBill.values:
        raise fail(f"bill {row['bill']!r} is not one of {', '.join(MeterBill.values)}")
    if row["token_kind"] not in MeterTokenKind.values:
        raise fail(
            f"token_kind {row['token_kind']!r} is not one of {', '.join(MeterTokenKind.values)}"
        )
    model = None
    if row["provider"] or row["model_id"]:
        model = models.get((row["provider"], row["model_id"]))
        if model is None:
            raise fail(f"no catalog model {row['provider']}/{row['model_id']}")
    per_unit = None
    if row["tokens_per_unit"]:
        try:
            per_unit = Decimal(row["tokens_per_unit"])
        except InvalidOperation:
            raise fail(f"tokens_per_unit {row['tokens_per_unit']!r} is not a number") from None
    batch = row["batch"].lower()
    if batch not in ("", "true", "false"):
        raise fail(f"batch {row['batch']!r} is not true or false")
    try:
        priority = int(row["priority"] or 100)
    except ValueError:
        raise fail(f"priority {row['priority']!r} is not a whole number") from None
    return {
        "bill": row["bill"],
        "pattern": row["pattern"],
        "model": model,
        "token_kind": row["token_kind"],
        "batch": batch == "true",
        "tokens_per_unit": per_unit,
        "priority": priority,
        "source": row["source"],
        "notes": row["notes"],
    }


def _same(rule: MeterRule, name: str, value: object) -> bool:
    if name == "model":  # compare ids: loading each rule's model would cost a query a row
        return rule.model_id == (value.pk if value is not None else None)
    return getattr(rule, name) == value


def _source(directory: Path | None, path: Path | None) -> tuple[Path, str]:
    """The file to load and the name its messages use."""
    if path is not None:
        return path, str(path)
    if directory is None:
        raise ValueError("give the seed directory or a file path")
    return directory / FILE_NAME, f"fixtures/catalog/{FILE_NAME}"


def _check(rule: MeterRule, where: str) -> None:
    """The model's own validation, worded as a file error at `where`."""
    try:
        rule.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise MeterFileError(f"{where}: {details}") from None


def _apply(rule: MeterRule | None, values: dict, origin: str, reset: bool, where: str) -> str:
    """Create or update one rule from a file row; returns the `MeterCounts` field it adds to."""
    if rule is not None and rule.origin not in (origin, Origin.SEED) and not reset:
        return "kept"  # staff's (or another source's) version stays
    if rule is None:
        rule = MeterRule(origin=origin, **values)
        outcome = "created"
    else:
        if rule.origin == origin and all(_same(rule, n, v) for n, v in values.items()):
            return "unchanged"
        for name, value in values.items():
            setattr(rule, name, value)
        rule.origin = origin
        outcome = "updated"
    _check(rule, where)
    rule.save()
    return outcome


def _remove_stale(existing: dict[tuple[str, str], MeterRule], seen: set[tuple[str, str]]) -> int:
    """Delete seed rows that left the file; returns how many."""
    stale = [r.pk for key, r in existing.items() if r.origin == Origin.SEED and key not in seen]
    if stale:
        MeterRule.objects.filter(pk__in=stale).delete()
    return len(stale)


def load_meter_rules(
    directory: Path | None = None,
    *,
    reset: bool = False,
    path: Path | None = None,
    origin: str = Origin.SEED,
) -> MeterCounts:
    """Bring the meter table in line with a CSV file; all or nothing.

    The seed reads `directory / meters.csv`; an import passes `path` and origin "import".
    """
    if path is None and directory is not None and not (directory / FILE_NAME).exists():
        return MeterCounts()  # a catalog directory without cloud-bill meters
    path, label = _source(directory, path)
    rows = _read(path, label)
    counts = MeterCounts()
    models = {
        (m.provider.slug, m.model_id): m for m in LLMModel.objects.select_related("provider")
    }
    existing = {(r.bill, r.pattern): r for r in MeterRule.objects.all()}
    seen: set[tuple[str, str]] = set()
    with transaction.atomic():
        for line, row in rows:
            where = f"{label}:{line}"
            values = _values(row, where, models)
            key = (values["bill"], values["pattern"])
            if key in seen:
                raise MeterFileError(f"{where}: duplicate rule for {key[0]} {key[1]!r}")
            seen.add(key)
            outcome = _apply(existing.get(key), values, origin, reset, where)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
        if origin == Origin.SEED:
            counts.removed = _remove_stale(existing, seen)
    return counts
