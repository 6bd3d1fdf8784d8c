"""Load the seed catalog (fixtures/catalog/*.csv) into the database.

The seed is the reference catalog; the admin is the back office. Rows are matched by
natural key. A row still owned by the seed (origin "seed") is brought back to the fixture
values; a row someone edited in the admin (or an importer wrote) is left alone unless
``reset=True``. Loading twice changes nothing, so ``make run`` can call it every time.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import (
    CatalogState,
    Currency,
    Eligibility,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Origin,
    Price,
    Provider,
    Tier,
    TokenKind,
    Verification,
)

FIXTURE_DIR: Path = Path(settings.BASE_DIR) / "fixtures" / "catalog"
ENTITIES = ("providers", "models", "prices", "offers", "exchange_rates", "equivalents")
URL_RE = re.compile(r"https?://[^\s|;,]+")


class SeedError(Exception):
    """A fixture row is malformed or breaks a catalog rule; names file and line."""


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    restored: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.restored + self.removed


@dataclass
class SeedSummary:
    counts: dict[str, EntityCounts] = field(
        default_factory=lambda: {name: EntityCounts() for name in ENTITIES}
    )
    # Rows the seed did not touch because staff (or an importer) own them.
    kept: list[str] = field(default_factory=list)
    # provider slug -> entity -> number of fixture rows for it
    per_provider: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())

    def count_for(self, slug: str, entity: str) -> None:
        bucket = self.per_provider.setdefault(slug, {"models": 0, "prices": 0, "offers": 0})
        bucket[entity] += 1

    def lines(self) -> list[str]:
        out = []
        for name, c in self.counts.items():
            out.append(
                f"{name:<15} created {c.created:>3}  updated {c.updated:>3}  unchanged "
                f"{c.unchanged:>3}  kept-admin {c.kept:>3}  restored {c.restored:>3}  "
                f"removed {c.removed:>3}"
            )
        out.append("")
        out.append("per provider (fixture rows): models / prices / offers")
        for slug, n in sorted(self.per_provider.items()):
            out.append(f"  {slug:<20} {n['models']:>3} / {n['prices']:>3} / {n['offers']:>3}")
        if self.kept:
            out.append("")
            out.append("kept (edited in the admin or imported; use --reset to restore):")
            out.extend(f"  {line}" for line in self.kept)
        return out


# ---------------------------------------------------------------- reading fixtures


@dataclass
class Row:
    file: str
    line: int
    data: dict[str, str]

    @property
    def where(self) -> str:
        return f"fixtures/catalog/{self.file}:{self.line}"

    def fail(self, message: str) -> SeedError:
        return SeedError(f"{self.where}: {message}")

    def text(self, name: str) -> str:
        try:
            return (self.data[name] or "").strip()
        except KeyError:
            raise self.fail(f"missing column {name!r}") from None

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise self.fail(f"{name} is required")
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{name}: {value!r} is not a YYYY-MM-DD date") from None

    def decimal(self, name: str) -> Decimal | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self.fail(f"{name}: {value!r} is not a number") from None

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise self.fail(f"{name}: {value!r} is not a whole number") from None

    def boolean(self, name: str) -> bool:
        value = self.text(name).lower()
        if value not in {"true", "false", ""}:
            raise self.fail(f"{name}: {value!r} must be true or false")
        return value == "true"

    def choice(self, name: str, choices: type[models.TextChoices]) -> str:
        value = self.required(name)
        if value not in choices.values:
            raise self.fail(f"{name}: {value!r} is not one of {', '.join(choices.values)}")
        return value

    def items(self, name: str, sep: str) -> list[str]:
        return [item.strip() for item in self.text(name).split(sep) if item.strip()]


def read_rows(directory: Path, filename: str) -> Iterator[Row]:
    path = directory / filename
    if not path.exists():
        raise SeedError(f"fixtures/catalog/{filename}: file not found")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for data in reader:
            yield Row(filename, reader.line_num, data)


def source_text(row: Row, sources: dict[str, str]) -> tuple[str, str]:
    """The reference's source text for the row's source keys, and its first URL."""
    parts = []
    for key in row.items("sources", " "):
        if key not in sources:
            raise row.fail(f"unknown source key {key!r} (see sources.csv)")
        parts.append(sources[key])
    text = " | ".join(parts)
    match = URL_RE.search(text)
    return text, match.group(0) if match else ""


# ---------------------------------------------------------------- syncing rows


class _Sync:
    """Create / update / keep one natural-keyed row, counting what happened.

    New rows are validated one by one but inserted per table with ``bulk_create`` (a
    first load is ~270 rows); bulk inserts fire no signals, so ``load_seed`` bumps the
    catalog version itself.
    """

    def __init__(self, summary: SeedSummary, reset: bool) -> None:
        self.summary = summary
        self.reset = reset
        self.pending: list[tuple[models.Model, list[int] | None]] = []
        # Only these models can have a seed price clash with an admin / imported row.
        self.models_with_other_prices = set(
            Price.objects.exclude(origin=Origin.SEED).values_list("model_id", flat=True)
        )

    def apply(
        self,
        entity: str,
        row: Row,
        existing: models.Model | None,
        make: type[models.Model],
        values: dict[str, Any],
        label: str,
        m2m: list[int] | None = None,
    ) -> models.Model | None:
        counts = self.summary.counts[entity]
        if existing is not None and existing.origin != Origin.SEED and not self.reset:
            counts.kept += 1
            self.summary.kept.append(f"{entity}: {label} (origin {existing.origin})")
            return existing
        if existing is None:
            obj = make(**values, origin=Origin.SEED)
            outcome = "created"
        else:
            obj = existing
            differs = existing.origin != Origin.SEED or any(
                getattr(obj, name) != value for name, value in values.items()
            )
            if m2m is not None and not differs:
                differs = set(m2m) != {m.pk for m in obj.eligible_models.all()}
            if not differs:
                counts.unchanged += 1
                return obj
            outcome = "restored" if existing.origin != Origin.SEED else "updated"
            for name, value in values.items():
                setattr(obj, name, value)
            obj.origin = Origin.SEED
        if isinstance(obj, Price) and obj.model_id in self.models_with_other_prices:
            clash = obj.overlapping().exclude(origin=Origin.SEED).first()
            if clash is not None:
                counts.kept += 1
                self.summary.kept.append(
                    f"{entity}: {label} not seeded: overlaps {clash} (origin {clash.origin})"
                )
                return None
        validate(obj, row)
        if outcome == "created":
            self.pending.append((obj, m2m))
        else:
            obj.save()
            if m2m is not None:
                obj.eligible_models.set(m2m)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        return obj

    def flush(self, model: type[models.Model]) -> None:
        """Insert the validated new rows of ``model`` (and their offer models)."""
        if not self.pending:
            return
        model.objects.bulk_create([obj for obj, _ in self.pending])
        links = [
            Offer.eligible_models.through(offer_id=obj.pk, llmmodel_id=model_pk)
            for obj, m2m in self.pending
            for model_pk in m2m or []
        ]
        Offer.eligible_models.through.objects.bulk_create(links)
        self.pending.clear()


def validate(obj: models.Model, row: Row) -> None:
    # Uniqueness holds by construction (rows are looked up by natural key and the fixture
    # is checked for duplicates), every CHECK constraint repeats a rule clean() already
    # states with a better message, and foreign keys point at rows this load just read or
    # wrote; skipping those checks saves ~10 queries a row.
    foreign_keys = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise row.fail(details) from None


def _check_unique(seen: set | dict, key: tuple, row: Row) -> None:
    if key in seen:
        raise row.fail(f"duplicate row for {key}")
    if isinstance(seen, set):
        seen.add(key)


def _remove_stale(
    summary: SeedSummary, entity: str, queryset: models.QuerySet, keep: set, key_of
) -> None:
    """Delete seed-owned rows the fixture no longer has (admin rows are never deleted)."""
    stale = [obj.pk for obj in queryset.filter(origin=Origin.SEED) if key_of(obj) not in keep]
    if stale:
        queryset.model.objects.filter(pk__in=stale).delete()
        summary.counts[entity].removed += len(stale)


# ---------------------------------------------------------------- entities


def _load_providers(directory: Path, sync: _Sync) -> dict[str, Provider]:
    existing = {p.slug: p for p in Provider.objects.all()}
    seen: set = set()
    for row in read_rows(directory, "providers.csv"):
        slug = row.required("slug")
        _check_unique(seen, (slug,), row)
        values = {
            "slug": slug,
            "name": row.required("name"),
            "name_zh": row.text("name_zh"),
            "country": row.required("country"),
            "region": row.required("region"),
            "billing_currency": row.choice("billing_currency", Currency),
            "openai_compatible": row.boolean("openai_compatible"),
            "website": row.text("website"),
            "notes": row.text("notes"),
        }
        obj = sync.apply("providers", row, existing.get(slug), Provider, values, slug)
        existing[slug] = obj
        sync.summary.per_provider.setdefault(slug, {"models": 0, "prices": 0, "offers": 0})
    sync.flush(Provider)
    return existing


def _provider(row: Row, providers: dict[str, Provider], column: str) -> Provider:
    slug = row.required(column)
    if slug not in providers:
        raise row.fail(f"{column}: unknown provider {slug!r} (not in providers.csv)")
    return providers[slug]


def _load_models(
    directory: Path, sync: _Sync, providers: dict[str, Provider]
) -> dict[tuple[str, str], LLMModel]:
    existing = {
        (m.provider.slug, m.model_id): m for m in LLMModel.objects.select_related("provider")
    }
    seen: set = set()
    for row in read_rows(directory, "models.csv"):
        provider = _provider(row, providers, "provider")
        model_id = row.required("model_id")
        key = (provider.slug, model_id)
        _check_unique(seen, key, row)
        values = {
            "provider_id": provider.pk,
            "model_id": model_id,
            "display_name": row.required("display_name"),
            "family": row.text("family"),
            "tier": row.choice("tier", Tier),
            "token_ratio": row.decimal("token_ratio") or Decimal("1.0"),
            "aliases": row.items("aliases", ";"),
            "released_on": row.date("released_on"),
            "notes": row.text("notes"),
        }
        obj = sync.apply("models", row, existing.get(key), LLMModel, values, f"{key[0]} · {key[1]}")
        existing[key] = obj
        sync.summary.count_for(provider.slug, "models")
    sync.flush(LLMModel)
    return existing


def _model(
    row: Row, llm_models: dict[tuple[str, str], LLMModel], provider_col: str, model_col: str
) -> LLMModel:
    key = (row.required(provider_col), row.required(model_col))
    if key not in llm_models:
        raise row.fail(f"unknown model {key[0]} · {key[1]} (not in models.csv)")
    return llm_models[key]


def _load_prices(
    directory: Path,
    sync: _Sync,
    llm_models: dict[tuple[str, str], LLMModel],
    sources: dict[str, str],
) -> None:
    rows = list(read_rows(directory, "prices.csv"))
    keys: dict[tuple, Row] = {}
    for row in rows:
        model = _model(row, llm_models, "provider", "model_id")
        key = (model.pk, row.integer("min_prompt_tokens") or 0, row.date("effective_from"))
        _check_unique(keys, key, row)
        keys[key] = row
    _check_fixture_overlaps(keys)
    queryset = Price.objects.all()
    _remove_stale(
        sync.summary,
        "prices",
        queryset,
        set(keys),
        lambda p: (p.model_id, p.min_prompt_tokens, p.effective_from),
    )
    existing = {(p.model_id, p.min_prompt_tokens, p.effective_from): p for p in queryset}
    for key, row in keys.items():
        model = _model(row, llm_models, "provider", "model_id")
        effective_from = row.date("effective_from")
        if effective_from is None:
            raise row.fail("effective_from is required")
        source, source_url = source_text(row, sources)
        values = {
            "model_id": model.pk,
            "min_prompt_tokens": key[1],
            "effective_from": effective_from,
            "effective_to": row.date("effective_to"),
            "currency": row.choice("currency", Currency),
            "input_per_mtok": row.decimal("input"),
            "output_per_mtok": row.decimal("output"),
            "cache_read_per_mtok": row.decimal("cache_read"),
            "batch_input_per_mtok": row.decimal("batch_input"),
            "batch_output_per_mtok": row.decimal("batch_output"),
            "verification": row.choice("verification", Verification),
            "checked_on": row.date("checked_on"),
            "source": source,
            "source_url": source_url,
            "notes": row.text("notes"),
        }
        label = f"{model.provider.slug} · {model.model_id} from {effective_from}"
        sync.apply("prices", row, existing.get(key), Price, values, label)
        sync.summary.count_for(model.provider.slug, "prices")
    sync.flush(Price)


def _check_fixture_overlaps(keys: dict[tuple, Row]) -> None:
    """Price rows of one model and context tier must follow each other without overlap.

    New rows are inserted in bulk, so the fixture is checked against itself here; clean()
    checks each row against what the database already holds.
    """
    by_series: dict[tuple, list[tuple[dt.date, dt.date | None, Row]]] = {}
    for (model_pk, min_prompt, start), row in keys.items():
        by_series.setdefault((model_pk, min_prompt), []).append(
            (start, row.date("effective_to"), row)
        )
    for series in by_series.values():
        series.sort(key=lambda item: item[0])
        for (start, end, _row), (next_start, _next_end, next_row) in zip(
            series, series[1:], strict=False
        ):
            if end is None or end > next_start:
                raise next_row.fail(
                    f"effective_from: Overlaps the price in force {start} – "
                    f"{end or 'open-ended'} for this model and context tier (row above)."
                )


def _load_offers(
    directory: Path,
    sync: _Sync,
    providers: dict[str, Provider],
    llm_models: dict[tuple[str, str], LLMModel],
    sources: dict[str, str],
) -> None:
    queryset = Offer.objects.select_related("provider").prefetch_related("eligible_models")
    rows = list(read_rows(directory, "offers.csv"))
    keys: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (_provider(row, providers, "provider").slug, row.required("name"))
        _check_unique(keys, key, row)
        keys[key] = row
    _remove_stale(sync.summary, "offers", queryset, set(keys), lambda o: (o.provider.slug, o.name))
    existing = {(o.provider.slug, o.name): o for o in queryset}
    for key, row in keys.items():
        provider = providers[key[0]]
        eligible = []
        for model_id in row.items("eligible_models", ";"):
            if (provider.slug, model_id) not in llm_models:
                raise row.fail(f"eligible_models: {provider.slug} has no model {model_id!r}")
            eligible.append(llm_models[(provider.slug, model_id)].pk)
        source, source_url = source_text(row, sources)
        values = {
            "provider_id": provider.pk,
            "name": key[1],
            "free_tokens": row.integer("free_tokens"),
            "credit_amount": row.decimal("credit_amount") if "credit_amount" in row.data else None,
            "credit_currency": row.text("credit_currency") if "credit_currency" in row.data else "",
            "token_kind": row.choice("token_kind", TokenKind),
            "per_model": row.boolean("per_model"),
            "eligibility": row.choice("eligibility", Eligibility),
            "starts_on": row.date("starts_on"),
            "ends_on": row.date("ends_on"),
            "valid_days_after_claim": row.integer("valid_days_after_claim"),
            "conditions": row.text("conditions"),
            "verification": row.choice("verification", Verification),
            "source": source,
            "source_url": source_url,
            "notes": row.text("notes"),
        }
        label = f"{key[0]} · {key[1]}"
        sync.apply("offers", row, existing.get(key), Offer, values, label, m2m=eligible)
        sync.summary.count_for(provider.slug, "offers")
    sync.flush(Offer)


def _load_rates(directory: Path, sync: _Sync, sources: dict[str, str]) -> None:
    queryset = ExchangeRate.objects.all()
    rows = list(read_rows(directory, "exchange_rates.csv"))
    keys: dict[tuple, Row] = {}
    for row in rows:
        key = (row.date("day"), row.choice("currency", Currency))
        if key[0] is None:
            raise row.fail("day is required")
        _check_unique(keys, key, row)
        keys[key] = row
    _remove_stale(
        sync.summary, "exchange_rates", queryset, set(keys), lambda r: (r.day, r.currency)
    )
    existing = {(r.day, r.currency): r for r in queryset}
    for key, row in keys.items():
        source, _url = source_text(row, sources)
        notes = row.text("notes")
        values = {
            "day": key[0],
            "currency": key[1],
            "per_usd": row.decimal("per_usd"),
            "source": f"{source} — {notes}" if notes else source,
        }
        label = f"{key[0]} {key[1]}"
        sync.apply("exchange_rates", row, existing.get(key), ExchangeRate, values, label)
    sync.flush(ExchangeRate)


def _load_equivalents(
    directory: Path, sync: _Sync, llm_models: dict[tuple[str, str], LLMModel]
) -> None:
    queryset = ModelEquivalent.objects.all()
    llm_models_by_pk = {m.pk: m for m in llm_models.values()}
    rows = list(read_rows(directory, "equivalents.csv"))
    keys: dict[tuple[int, int], Row] = {}
    for row in rows:
        source = _model(row, llm_models, "source_provider", "source_model")
        target = _model(row, llm_models, "target_provider", "target_model")
        key = (source.pk, target.pk)
        _check_unique(keys, key, row)
        keys[key] = row
    _remove_stale(
        sync.summary, "equivalents", queryset, set(keys), lambda e: (e.source_id, e.target_id)
    )
    existing = {(e.source_id, e.target_id): e for e in queryset}
    target_providers: set[tuple[int, int]] = set()
    for (source_pk, target_pk), row in keys.items():
        # clean() only sees rows already stored; new rows are inserted together.
        pair = (source_pk, llm_models_by_pk[target_pk].provider_id)
        if pair in target_providers:
            raise row.fail("target: this source already maps to a model on that provider")
        target_providers.add(pair)
    for key, row in keys.items():
        values = {"source_id": key[0], "target_id": key[1], "note": row.text("note")}
        label = (
            f"{row.text('source_provider')} · {row.text('source_model')} → "
            f"{row.text('target_provider')} · {row.text('target_model')}"
        )
        sync.apply("equivalents", row, existing.get(key), ModelEquivalent, values, label)
    sync.flush(ModelEquivalent)


def read_sources(directory: Path) -> dict[str, str]:
    sources: dict[str, str] = {}
    for row in read_rows(directory, "sources.csv"):
        key = row.required("key")
        if key in sources:
            raise row.fail(f"duplicate source key {key!r}")
        sources[key] = row.required("text")
    return sources


def load_seed(reset: bool = False, directory: Path | None = None) -> SeedSummary:
    """Bring the catalog in line with the seed fixtures; see the module docstring.

    ``reset=True`` also restores rows that staff edited (their origin goes back to
    "seed"). Everything happens in one transaction: a bad fixture row changes nothing.
    """
    directory = directory or FIXTURE_DIR
    summary = SeedSummary()
    sync = _Sync(summary, reset)
    sources = read_sources(directory)
    with transaction.atomic():
        providers = _load_providers(directory, sync)
        llm_models = _load_models(directory, sync, providers)
        _load_prices(directory, sync, llm_models, sources)
        _load_offers(directory, sync, providers, llm_models, sources)
        _load_rates(directory, sync, sources)
        _load_equivalents(directory, sync, llm_models)
        if summary.changed:
            CatalogState.bump()
    return summary
