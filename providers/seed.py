"""Load the seed catalog (fixtures/catalog/*.csv) into the database.

The seed is the reference catalog; the admin is the back office. The files follow the
seed CSV contract (fixtures/catalog/README.md): every column of a file's header is
required and an unknown column is an error, so a typo cannot silently drop a field.

Providers, models, prices and offers carry a ``seed_key``, a stable id that never changes
once published: the loader finds the database row by it, so a row an admin renamed (or
whose id was edited) is still the same row, and a later load never makes a second copy.
A database row without a seed key (stored before seed keys existed) is adopted by its
natural key. Exchange rates and equivalents are matched by their natural key.

A row still owned by the seed (origin "seed") is brought back to the fixture values; a
row someone edited in the admin (or an importer wrote) is left alone unless
``reset=True``. Loading twice changes nothing, so ``make run`` can call it every time.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .meters import load_meter_rules
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
UNKNOWN = "unknown"
LIST_SEPARATOR = "|"

# The seed CSV contract: each file's exact set of columns.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sources.csv": ("key", "text"),
    "providers.csv": (
        "seed_key", "slug", "name", "name_zh", "country", "region", "billing_currency",
        "openai_compatible", "website", "notes",
    ),
    "models.csv": (
        "seed_key", "provider", "model_id", "display_name", "name_zh", "family", "tier",
        "token_ratio", "aliases", "context_window", "max_output_tokens", "context_sources",
        "released_on", "retired_on", "notes",
    ),
    "prices.csv": (
        "seed_key", "provider", "model_id", "min_prompt_tokens", "effective_from",
        "effective_to", "currency", "input", "output", "cache_read", "cache_write",
        "batch_input", "batch_output", "verification", "checked_on", "sources", "notes",
    ),
    "offers.csv": (
        "seed_key", "provider", "name", "name_zh", "eligible_models", "free_tokens",
        "credit_amount", "credit_currency", "token_kind", "per_model", "eligibility",
        "starts_on", "ends_on", "last_seen_on", "valid_days_after_claim", "conditions",
        "verification", "sources", "notes",
    ),
    "exchange_rates.csv": ("day", "currency", "per_usd", "sources", "notes"),
    "equivalents.csv": (
        "source_provider", "source_model", "target_provider", "target_model", "note",
    ),
}  # fmt: skip


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

    def items(self, name: str, sep: str = LIST_SEPARATOR) -> list[str]:
        return [item.strip() for item in self.text(name).split(sep) if item.strip()]

    def tokens_or_unknown(self, name: str) -> int | None:
        """A whole number of tokens, or the word ``unknown`` (None); never an empty cell,
        so every model says its figure or says that it is not known."""
        value = self.text(name)
        if not value:
            raise self.fail(f"{name} is required: a whole number of tokens or {UNKNOWN!r}")
        if value == UNKNOWN:
            return None
        number = self.integer(name)
        if number is None or number <= 0:
            raise self.fail(f"{name}: {value!r} must be a positive number of tokens or {UNKNOWN!r}")
        return number


def check_header(filename: str, header: list[str] | None) -> None:
    """The file's header must be exactly the contract's columns (in any order)."""
    expected = COLUMNS[filename]
    found = [name.strip() for name in header or []]
    unknown = [name for name in found if name not in expected]
    missing = [name for name in expected if name not in found]
    duplicated = sorted({name for name in found if found.count(name) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"repeated column(s) {', '.join(duplicated)}")
    if problems:
        raise SeedError(
            f"fixtures/catalog/{filename}:1: {'; '.join(problems)} "
            f"(expected: {','.join(expected)})"
        )


def read_rows(directory: Path, filename: str) -> Iterator[Row]:
    path = directory / filename
    if not path.exists():
        raise SeedError(f"fixtures/catalog/{filename}: file not found")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        check_header(filename, reader.fieldnames)
        for data in reader:
            if None in data:
                raise SeedError(
                    f"fixtures/catalog/{filename}:{reader.line_num}: more cells than columns"
                )
            yield Row(filename, reader.line_num, {k.strip(): v for k, v in data.items()})


def source_text(row: Row, sources: dict[str, str]) -> tuple[str, str]:
    """The source text of the row's (required) source keys, and its first URL."""
    row.required("sources")
    return sources_for(row, "sources", sources)


def sources_for(row: Row, column: str, sources: dict[str, str]) -> tuple[str, str]:
    parts = []
    for key in row.items(column, " "):
        if key not in sources:
            raise row.fail(f"unknown source key {key!r} (see sources.csv)")
        parts.append(sources[key])
    text = " | ".join(parts)
    match = URL_RE.search(text)
    return text, match.group(0) if match else ""


# ---------------------------------------------------------------- syncing rows


class _Sync:
    """Create / update / keep one matched row, counting what happened.

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
    # Uniqueness holds by construction (rows are matched by seed key or natural key and
    # the fixture is checked for duplicates), every CHECK constraint repeats a rule clean()
    # already states with a better message, and foreign keys point at rows this load just
    # read or wrote; skipping those checks saves ~10 queries a row.
    foreign_keys = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise row.fail(details) from None


@dataclass
class Planned:
    """One fixture row, parsed: what the database row should hold."""

    row: Row
    natural: tuple
    values: dict[str, Any]
    label: str
    seed_key: str | None = None  # None for the files without seed keys
    m2m: list[int] | None = None


def _check_unique(seen: set, key: object, row: Row, what: str = "row") -> None:
    if key in seen:
        raise row.fail(f"duplicate {what} {key!r}")
    seen.add(key)


def _match(
    planned: list[Planned],
    existing: list[models.Model],
    natural_of: Callable[[Any], tuple],
    *,
    unique_natural: bool,
) -> list[models.Model | None]:
    """The database row of each planned row: by seed key, else (a row stored before seed
    keys, which is adopted) by natural key."""
    by_key = {obj.seed_key: obj for obj in existing if getattr(obj, "seed_key", None)}
    by_natural = {natural_of(obj): obj for obj in existing}
    fixture_keys = {p.seed_key for p in planned if p.seed_key}
    matched: list[models.Model | None] = []
    for p in planned:
        obj = by_key.get(p.seed_key) if p.seed_key else None
        if obj is None:
            candidate = by_natural.get(p.natural)
            if candidate is not None and p.seed_key is None:
                obj = candidate
            elif candidate is not None and candidate.seed_key is None:
                obj = candidate
                type(candidate).objects.filter(pk=candidate.pk).update(seed_key=p.seed_key)
                candidate.seed_key = p.seed_key
            elif (
                candidate is not None
                and unique_natural
                and (candidate.seed_key in fixture_keys or candidate.origin != Origin.SEED)
            ):
                raise p.row.fail(
                    f"{p.label} is already the catalog row of seed key {candidate.seed_key!r} "
                    f"(origin {candidate.origin}); a seed key never changes once published"
                )
        matched.append(obj)
    return matched


def _remove_stale(
    sync: _Sync, entity: str, existing: list[models.Model], matched: list[models.Model | None]
) -> None:
    """Delete seed-owned rows the fixture no longer has (admin rows are never deleted)."""
    kept = {obj.pk for obj in matched if obj is not None}
    stale = [obj.pk for obj in existing if obj.origin == Origin.SEED and obj.pk not in kept]
    if stale:
        type(existing[0]).objects.filter(pk__in=stale).delete()
        sync.summary.counts[entity].removed += len(stale)


def _sync_entity(
    sync: _Sync,
    entity: str,
    model: type[models.Model],
    existing: list[models.Model],
    planned: list[Planned],
    natural_of: Callable[[Any], tuple],
    *,
    unique_natural: bool = True,
    remove_stale: bool = True,
) -> list[models.Model | None]:
    """Bring ``model``'s rows in line with ``planned``; the stored row of each planned row
    (None when a seed price was not inserted because it overlaps an admin row)."""
    matched = _match(planned, existing, natural_of, unique_natural=unique_natural)
    if remove_stale:
        _remove_stale(sync, entity, existing, matched)
    stored = [
        sync.apply(entity, p.row, obj, model, p.values, p.label, m2m=p.m2m)
        for p, obj in zip(planned, matched, strict=True)
    ]
    sync.flush(model)
    return stored


# ---------------------------------------------------------------- entities


def _seed_key(row: Row, seen: set) -> str:
    key = row.required("seed_key")
    _check_unique(seen, key, row, "seed_key")
    return key


def _load_providers(directory: Path, sync: _Sync) -> dict[str, Provider]:
    """Providers by the fixture's slug (an admin may have changed the stored one)."""
    planned: list[Planned] = []
    keys: set = set()
    slugs: set = set()
    for row in read_rows(directory, "providers.csv"):
        slug = row.required("slug")
        _check_unique(slugs, slug, row, "slug")
        values = {
            "seed_key": _seed_key(row, keys),
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
        planned.append(Planned(row, (slug,), values, slug, values["seed_key"]))
        sync.summary.per_provider.setdefault(slug, {"models": 0, "prices": 0, "offers": 0})
    stored = _sync_entity(
        sync,
        "providers",
        Provider,
        list(Provider.objects.all()),
        planned,
        lambda p: (p.slug,),
        remove_stale=False,
    )
    return {p.natural[0]: obj for p, obj in zip(planned, stored, strict=True)}


def _provider(row: Row, providers: dict[str, Provider], column: str) -> Provider:
    slug = row.required(column)
    if slug not in providers:
        raise row.fail(f"{column}: unknown provider {slug!r} (not in providers.csv)")
    return providers[slug]


def _model_values(row: Row, provider: Provider, sources: dict[str, str]) -> dict[str, Any]:
    context_window = row.tokens_or_unknown("context_window")
    max_output_tokens = row.tokens_or_unknown("max_output_tokens")
    context_sources, _url = sources_for(row, "context_sources", sources)
    if not context_sources and (context_window is not None or max_output_tokens is not None):
        raise row.fail("context_sources: give the source of the context window / max output")
    return {
        "provider_id": provider.pk,
        "model_id": row.required("model_id"),
        "display_name": row.required("display_name"),
        "name_zh": row.text("name_zh"),
        "family": row.text("family"),
        "tier": row.choice("tier", Tier),
        "token_ratio": row.decimal("token_ratio") or Decimal("1.0"),
        "aliases": row.items("aliases"),
        "context_window": context_window,
        "max_output_tokens": max_output_tokens,
        "context_sources": context_sources,
        "released_on": row.date("released_on"),
        "retired_on": row.date("retired_on"),
        "notes": row.text("notes"),
    }


def _load_models(
    directory: Path, sync: _Sync, providers: dict[str, Provider], sources: dict[str, str]
) -> dict[tuple[str, str], LLMModel]:
    """Models by the fixture's (provider slug, model id), whatever the stored id now is."""
    planned: list[Planned] = []
    keys: set = set()
    seen: set = set()
    for row in read_rows(directory, "models.csv"):
        provider = _provider(row, providers, "provider")
        identity = (row.required("provider"), row.required("model_id"))
        _check_unique(seen, identity, row, "model")
        values = {"seed_key": _seed_key(row, keys), **_model_values(row, provider, sources)}
        label = f"{identity[0]} · {identity[1]}"
        planned.append(
            Planned(row, (provider.pk, identity[1]), values, label, values["seed_key"])
        )
        sync.summary.count_for(identity[0], "models")
    stored = _sync_entity(
        sync,
        "models",
        LLMModel,
        list(LLMModel.objects.all()),
        planned,
        lambda m: (m.provider_id, m.model_id),
        remove_stale=False,
    )
    return {
        (p.row.text("provider"), p.row.text("model_id")): obj
        for p, obj in zip(planned, stored, strict=True)
    }


def _model(
    row: Row, llm_models: dict[tuple[str, str], LLMModel], provider_col: str, model_col: str
) -> LLMModel:
    key = (row.required(provider_col), row.required(model_col))
    if key not in llm_models:
        raise row.fail(f"unknown model {key[0]} · {key[1]} (not in models.csv)")
    return llm_models[key]


def _price_values(row: Row, model: LLMModel, sources: dict[str, str]) -> dict[str, Any]:
    effective_from = row.date("effective_from")
    if effective_from is None:
        raise row.fail("effective_from is required")
    source, source_url = source_text(row, sources)
    return {
        "model_id": model.pk,
        "min_prompt_tokens": row.integer("min_prompt_tokens") or 0,
        "effective_from": effective_from,
        "effective_to": row.date("effective_to"),
        "currency": row.choice("currency", Currency),
        "input_per_mtok": row.decimal("input"),
        "output_per_mtok": row.decimal("output"),
        "cache_read_per_mtok": row.decimal("cache_read"),
        "cache_write_per_mtok": row.decimal("cache_write"),
        "batch_input_per_mtok": row.decimal("batch_input"),
        "batch_output_per_mtok": row.decimal("batch_output"),
        "verification": row.choice("verification", Verification),
        "checked_on": row.date("checked_on"),
        "source": source,
        "source_url": source_url,
        "notes": row.text("notes"),
    }


def _load_prices(
    directory: Path,
    sync: _Sync,
    llm_models: dict[tuple[str, str], LLMModel],
    sources: dict[str, str],
) -> None:
    planned: list[Planned] = []
    keys: set = set()
    seen: set = set()
    for row in read_rows(directory, "prices.csv"):
        model = _model(row, llm_models, "provider", "model_id")
        values = {"seed_key": _seed_key(row, keys), **_price_values(row, model, sources)}
        natural = (model.pk, values["min_prompt_tokens"], values["effective_from"])
        _check_unique(seen, natural, row, "price start for this model and tier")
        label = f"{row.text('provider')} · {row.text('model_id')} from {values['effective_from']}"
        planned.append(Planned(row, natural, values, label, values["seed_key"]))
        sync.summary.count_for(row.text("provider"), "prices")
    _check_fixture_overlaps(planned)
    _sync_entity(
        sync,
        "prices",
        Price,
        list(Price.objects.all()),
        planned,
        lambda p: (p.model_id, p.min_prompt_tokens, p.effective_from),
    )


def _check_fixture_overlaps(planned: list[Planned]) -> None:
    """Price rows of one model and context tier must follow each other without overlap.

    New rows are inserted in bulk, so the fixture is checked against itself here; clean()
    checks each row against what the database already holds.
    """
    by_series: dict[tuple, list[Planned]] = {}
    for p in planned:
        by_series.setdefault(p.natural[:2], []).append(p)
    for series in by_series.values():
        series.sort(key=lambda p: p.values["effective_from"])
        for this, following in zip(series, series[1:], strict=False):
            start, end = this.values["effective_from"], this.values["effective_to"]
            if end is None or end > following.values["effective_from"]:
                raise following.row.fail(
                    f"effective_from: Overlaps the price in force {start} – "
                    f"{end or 'open-ended'} for this model and context tier (row above)."
                )


def _offer_values(
    row: Row,
    provider: Provider,
    llm_models: dict[tuple[str, str], LLMModel],
    sources: dict[str, str],
) -> dict[str, Any]:
    source, source_url = source_text(row, sources)
    return {
        "provider_id": provider.pk,
        "name": row.required("name"),
        "name_zh": row.text("name_zh"),
        "free_tokens": row.integer("free_tokens"),
        "credit_amount": row.decimal("credit_amount"),
        "credit_currency": row.choice("credit_currency", Currency)
        if row.text("credit_currency")
        else "",
        "token_kind": row.choice("token_kind", TokenKind),
        "per_model": row.boolean("per_model"),
        "eligibility": row.choice("eligibility", Eligibility),
        "starts_on": row.date("starts_on"),
        "ends_on": row.date("ends_on"),
        "last_seen_on": row.date("last_seen_on"),
        "valid_days_after_claim": row.integer("valid_days_after_claim"),
        "conditions": row.text("conditions"),
        "verification": row.choice("verification", Verification),
        "source": source,
        "source_url": source_url,
        "notes": row.text("notes"),
    }


def _eligible(row: Row, llm_models: dict[tuple[str, str], LLMModel]) -> list[int]:
    slug = row.required("provider")
    eligible = []
    for model_id in row.items("eligible_models"):
        if (slug, model_id) not in llm_models:
            raise row.fail(f"eligible_models: {slug} has no model {model_id!r}")
        eligible.append(llm_models[(slug, model_id)].pk)
    return eligible


def _load_offers(
    directory: Path,
    sync: _Sync,
    providers: dict[str, Provider],
    llm_models: dict[tuple[str, str], LLMModel],
    sources: dict[str, str],
) -> None:
    planned: list[Planned] = []
    keys: set = set()
    for row in read_rows(directory, "offers.csv"):
        provider = _provider(row, providers, "provider")
        values = {
            "seed_key": _seed_key(row, keys),
            **_offer_values(row, provider, llm_models, sources),
        }
        label = f"{row.text('provider')} · {values['name']}"
        planned.append(
            Planned(
                row,
                (provider.pk, values["name"]),
                values,
                label,
                values["seed_key"],
                m2m=_eligible(row, llm_models),
            )
        )
        sync.summary.count_for(row.text("provider"), "offers")
    _sync_entity(
        sync,
        "offers",
        Offer,
        list(Offer.objects.prefetch_related("eligible_models")),
        planned,
        lambda o: (o.provider_id, o.name),
        unique_natural=False,
    )


def _load_rates(directory: Path, sync: _Sync, sources: dict[str, str]) -> None:
    planned: list[Planned] = []
    seen: set = set()
    for row in read_rows(directory, "exchange_rates.csv"):
        day = row.date("day")
        if day is None:
            raise row.fail("day is required")
        natural = (day, row.choice("currency", Currency))
        _check_unique(seen, natural, row, "rate for day and currency")
        source, _url = source_text(row, sources)
        notes = row.text("notes")
        values = {
            "day": natural[0],
            "currency": natural[1],
            "per_usd": row.decimal("per_usd"),
            "source": f"{source} — {notes}" if notes else source,
        }
        planned.append(Planned(row, natural, values, f"{natural[0]} {natural[1]}"))
    _sync_entity(
        sync,
        "exchange_rates",
        ExchangeRate,
        list(ExchangeRate.objects.all()),
        planned,
        lambda r: (r.day, r.currency),
    )


def _load_equivalents(
    directory: Path, sync: _Sync, llm_models: dict[tuple[str, str], LLMModel]
) -> None:
    planned: list[Planned] = []
    seen: set = set()
    target_providers: set[tuple[int, int]] = set()
    for row in read_rows(directory, "equivalents.csv"):
        source = _model(row, llm_models, "source_provider", "source_model")
        target = _model(row, llm_models, "target_provider", "target_model")
        natural = (source.pk, target.pk)
        _check_unique(seen, natural, row, "equivalent")
        # clean() only sees rows already stored; new rows are inserted together.
        pair = (source.pk, target.provider_id)
        if pair in target_providers:
            raise row.fail("target: this source already maps to a model on that provider")
        target_providers.add(pair)
        label = (
            f"{row.text('source_provider')} · {row.text('source_model')} → "
            f"{row.text('target_provider')} · {row.text('target_model')}"
        )
        values = {"source_id": source.pk, "target_id": target.pk, "note": row.text("note")}
        planned.append(Planned(row, natural, values, label))
    _sync_entity(
        sync,
        "equivalents",
        ModelEquivalent,
        list(ModelEquivalent.objects.all()),
        planned,
        lambda e: (e.source_id, e.target_id),
    )


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
    with transaction.atomic():
        sources = read_sources(directory)
        providers = _load_providers(directory, sync)
        llm_models = _load_models(directory, sync, providers, sources)
        _load_prices(directory, sync, llm_models, sources)
        _load_offers(directory, sync, providers, llm_models, sources)
        _load_rates(directory, sync, sources)
        _load_equivalents(directory, sync, llm_models)
        meters = load_meter_rules(directory, reset=reset)  # cloud-bill meters: providers/meters.py
        if summary.changed or meters.changed:
            CatalogState.bump()
    return summary
