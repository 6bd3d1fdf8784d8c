"""Writing a parsed price source into the catalog as dated price history.

Shared by every importer (``import_litellm``, ``import_genai_prices``): the source is
parsed into ``SourceModel`` records (see ``records``), each with dated periods of prices.
Rules (DESIGN.md, issue #6): an import never edits a price row. For each period the source
gives, if its price differs from the import-origin row in force on the period's start,
that row is closed on that day (``effective_to`` = the start) and a new one opens; unchanged
prices write nothing. A period without a date (LiteLLM's whole map, genai-prices' oldest
undated price) starts on the import day. Seed and admin prices are never closed or
overwritten: a disagreement is recorded as a discrepancy instead. Everything happens in one
transaction, with bulk queries (3000+ models), and ``CatalogState.bump()`` once at the end
because bulk writes send no signals.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from dashboard.engine.catalog_types import period_in_force
from providers.models import (
    CatalogState,
    Currency,
    ImportRun,
    LLMModel,
    Origin,
    Price,
    Provider,
    Region,
    Tier,
)

from .crosscheck import Discrepancy, compare_rows, rates_on, unconverted_label
from .records import PRICE_FIELDS, ParseResult, SourceModel, TierPrice

UNREVIEWED_NOTE = "created by a price import; not reviewed"
KEPT_REASON = "seed/admin price in force (kept)"
ALIAS_REASON = "alias of an existing model"


@dataclass(frozen=True)
class Source:
    """What an importer tells the shared rules about its source."""

    name: str  # "LiteLLM", "genai-prices"
    verification: str  # of the rows it writes
    dates: str  # one line for the report: how the source dates its prices


def tier_for(price: TierPrice) -> str:
    """A first guess at a new model's tier from its blended price (3 input : 1 output
    tokens, USD per 1M): >= 10 frontier, >= 2 flagship, >= 0.5 balanced, above 0 economy,
    0 free. An admin reviews it; it only decides which model stands in for another."""
    blended = (3 * price.input_per_mtok + price.output_per_mtok) / 4
    if blended >= 10:
        return Tier.FRONTIER
    if blended >= 2:
        return Tier.FLAGSHIP
    if blended >= Decimal("0.5"):
        return Tier.BALANCED
    if blended > 0:
        return Tier.ECONOMY
    return Tier.FREE


def _same(row: Price | TierPrice, tier: TierPrice) -> bool:
    if isinstance(row, Price) and row.currency != Currency.USD:
        return False
    return all(getattr(row, name) == getattr(tier, name) for name in PRICE_FIELDS)


def _describe(tier: TierPrice | Price, starts_on: dt.date | None = None) -> str:
    parts = []
    for name in PRICE_FIELDS:
        value = getattr(tier, name)
        if value is not None:
            parts.append(
                f"{name.removesuffix('_per_mtok')} {format(Decimal(value).normalize(), 'f')}"
            )
    floor = f">= {tier.min_prompt_tokens} tokens: " if tier.min_prompt_tokens else ""
    since = f"from {starts_on}: " if starts_on else ""
    return since + floor + ", ".join(parts)


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The earlier of two exclusive ends, None meaning open-ended."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


@dataclass
class ModelChange:
    provider: str
    model_id: str
    key: str
    old: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)


@dataclass
class NewPrice:
    entry: SourceModel
    tier: TierPrice
    effective_from: dt.date
    effective_to: dt.date | None


@dataclass
class ImportPlan:
    day: dt.date
    new_providers: dict[str, str] = field(default_factory=dict)  # slug -> source's name
    new_models: list[SourceModel] = field(default_factory=list)
    model_pks: dict[tuple[str, str], int] = field(default_factory=dict)  # (slug, id lower) -> pk
    close_pks: dict[int, dt.date] = field(default_factory=dict)  # pk -> new effective_to
    delete_pks: list[int] = field(default_factory=list)
    new_prices: list[NewPrice] = field(default_factory=list)
    added: list[ModelChange] = field(default_factory=list)
    changed: list[ModelChange] = field(default_factory=list)
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    unconverted: list[str] = field(default_factory=list)  # seed/admin rows with no rate
    source: Source | None = None

    @property
    def writes_anything(self) -> bool:
        return bool(self.new_providers or self.new_models or self.close_pks or self.new_prices)


# ---------------------------------------------------------------- one model's plan


def periods_to_write(entry: SourceModel, day: dt.date) -> list[tuple[dt.date, dt.date | None, dict[int, TierPrice]]]:
    """The source's periods as (start, exclusive end, tiers by prompt floor), oldest first.

    An undated period starts on the import day; when a dated period starts on or before
    that day, the undated one is older than every dated one and its start is unknown, so
    it is left out rather than given a made-up start.
    """
    dated = [(p.starts_on or day, p) for p in entry.periods]
    starts = [start for start, _ in dated]
    kept = []
    for i, (start, period) in enumerate(dated):
        following = starts[i + 1 :]
        if following and start >= min(following):
            continue
        kept.append((start, period))
    kept.sort(key=lambda item: item[0])
    out = []
    for i, (start, period) in enumerate(kept):
        end = kept[i + 1][0] if i + 1 < len(kept) else None
        out.append((start, end, {t.min_prompt_tokens: t for t in period.tiers}))
    return out


@dataclass
class _Slot:
    """A price row of one prompt floor, stored (``row``) or planned (``new``)."""

    start: dt.date
    end: dt.date | None
    values: Price | TierPrice
    row: Price | None = None
    new: NewPrice | None = None

    def in_force_on(self, day: dt.date) -> bool:
        return period_in_force(self.start, self.end, day)


class _Timeline:
    """The import rows of one model per prompt floor, updated as the plan is made."""

    def __init__(self, rows: list[Price]) -> None:
        self.slots: dict[int, list[_Slot]] = {}
        for row in rows:
            slot = _Slot(row.effective_from, row.effective_to, row, row=row)
            self.slots.setdefault(row.min_prompt_tokens, []).append(slot)

    def floors_in_force(self, day: dt.date) -> set[int]:
        return {f for f, slots in self.slots.items() if any(s.in_force_on(day) for s in slots)}

    def in_force(self, floor: int, day: dt.date) -> _Slot | None:
        return next((s for s in self.slots.get(floor, []) if s.in_force_on(day)), None)

    def next_start(self, floor: int, day: dt.date) -> dt.date | None:
        later = [s.start for s in self.slots.get(floor, []) if s.start > day]
        return min(later) if later else None

    def cut(self, plan: ImportPlan, floor: int, slot: _Slot, day: dt.date) -> None:
        """End ``slot`` on ``day``; a slot that starts that very day is replaced instead
        (closing it would leave it zero days long)."""
        if slot.start == day:
            self.slots[floor].remove(slot)
            if slot.row is not None:
                plan.delete_pks.append(slot.row.pk)
            else:
                plan.new_prices.remove(slot.new)
            return
        slot.end = day
        if slot.row is not None:
            plan.close_pks[slot.row.pk] = day
        else:
            slot.new.effective_to = day

    def open(self, plan: ImportPlan, entry: SourceModel, tier: TierPrice, start, end) -> bool:
        """Plan a row of ``tier`` from ``start``; a planned row of the same price that
        ends on ``start`` is extended instead. True when a row was added."""
        for slot in self.slots.get(tier.min_prompt_tokens, []):
            if slot.new is not None and slot.end == start and _same(slot.values, tier):
                slot.end = slot.new.effective_to = end
                return False
        new = NewPrice(entry=entry, tier=tier, effective_from=start, effective_to=end)
        plan.new_prices.append(new)
        slot = _Slot(start, end, tier, new=new)
        self.slots.setdefault(tier.min_prompt_tokens, []).append(slot)
        return True


def _report_owned_model(
    plan: ImportPlan, entry: SourceModel, model_id: str, rows: list[Price], rates
) -> bool:
    """A model with a seed/admin row in the source's period is theirs: compare its rows in
    force on the import day with the source's price of that day, write nothing."""
    kept = [r for r in rows if r.origin != Origin.IMPORT]
    if not kept:
        return False
    in_force = [r for r in kept if r.in_force_on(plan.day)]
    missing = unconverted_label(in_force, rates, f"{entry.provider_slug}/{model_id}")
    if missing:
        plan.unconverted.append(missing)
    plan.discrepancies += compare_rows(
        in_force,
        entry,
        day=plan.day,
        source=plan.source.name if plan.source else "source",
        provider=entry.provider_slug,
        model_id=model_id,
        rates=rates,
    )
    plan.skipped[KEPT_REASON] += 1
    return True


def _plan_period(
    plan: ImportPlan,
    timeline: _Timeline,
    change: ModelChange,
    entry: SourceModel,
    period: tuple[dt.date, dt.date | None, dict[int, TierPrice]],
    dated: bool,
) -> None:
    """Make the rows of every prompt floor say the period's price from its start on."""
    start, end, wanted = period
    for floor in sorted(set(wanted) | timeline.floors_in_force(start)):
        tier = wanted.get(floor)
        current = timeline.in_force(floor, start)
        if current is not None and tier is not None and _same(current.values, tier):
            continue
        if current is not None:
            old_end = current.end
            change.old.append(_describe(current.values))
            timeline.cut(plan, floor, current, start)
            until = _earlier(end, old_end)
        else:
            until = _earlier(end, timeline.next_start(floor, start))
        if tier is not None and timeline.open(plan, entry, tier, start, until):
            change.new.append(_describe(tier, start if dated else None))


def _plan_model(
    plan: ImportPlan,
    entry: SourceModel,
    model_id: str,
    rows: list[Price],
    rates: dict[str, Decimal],
) -> None:
    """Decide what one known or new model needs; ``rows`` are its price rows that end
    after the source's first period starts (or never end)."""
    periods = periods_to_write(entry, plan.day)
    if not periods:
        return
    first = periods[0][0]
    rows = [r for r in rows if r.effective_to is None or r.effective_to > first]
    if _report_owned_model(plan, entry, model_id, rows, rates):
        return
    timeline = _Timeline(rows)
    had_price = bool(timeline.floors_in_force(first))
    change = ModelChange(provider=entry.provider_slug, model_id=model_id, key=entry.key)
    dated = any(p.starts_on is not None for p in entry.periods)
    for period in periods:
        _plan_period(plan, timeline, change, entry, period, dated)
    if not change.old and not change.new:
        plan.unchanged += 1
    elif had_price:
        plan.changed.append(change)
    else:
        plan.added.append(change)


def _known_models(
    parsed: ParseResult, providers: set[str]
) -> tuple[dict[tuple[str, str], tuple[int, str]], set[tuple[str, str]]]:
    """Catalog models of the source's providers by (slug, lower-cased id), and the ids
    they also answer to (aliases)."""
    known: dict[tuple[str, str], tuple[int, str]] = {}
    aliases: set[tuple[str, str]] = set()
    for pk, slug, model_id, model_aliases in LLMModel.objects.filter(
        provider__slug__in=providers
    ).values_list("pk", "provider__slug", "model_id", "aliases"):
        known.setdefault((slug, model_id.lower()), (pk, model_id))
        aliases.update((slug, a.lower()) for a in model_aliases or [] if isinstance(a, str))
    wanted = {(e.provider_slug, e.model_id.lower()) for e in parsed.models}
    return {k: v for k, v in known.items() if k in wanted}, aliases


def _rows_by_model(model_pks: list[int], since: dt.date) -> dict[int, list[Price]]:
    """Price rows of these models still in force on or after ``since``."""
    rows_by_model: dict[int, list[Price]] = {}
    relevant = Q(effective_to__isnull=True) | Q(effective_to__gt=since)
    for row in Price.objects.filter(relevant, model_id__in=model_pks):
        rows_by_model.setdefault(row.model_id, []).append(row)
    return rows_by_model


def _earliest_start(parsed: ParseResult, day: dt.date) -> dt.date:
    starts = [p.starts_on for e in parsed.models for p in e.periods if p.starts_on is not None]
    return min([day, *starts])


def plan_import(parsed: ParseResult, day: dt.date, kind: Source) -> ImportPlan:
    """Read the catalog once and work out every write the import needs (writes nothing)."""
    plan = ImportPlan(day=day, source=kind)
    slugs = {e.provider_slug for e in parsed.models}
    existing_providers = set(Provider.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    for entry in parsed.models:
        if entry.provider_slug not in existing_providers:
            plan.new_providers.setdefault(entry.provider_slug, entry.source_provider)
    matched, aliases = _known_models(parsed, existing_providers)
    rows_by_model = _rows_by_model(
        [pk for pk, _ in matched.values()], _earliest_start(parsed, day)
    )
    rates = rates_on(day)
    for entry in parsed.models:
        identity = (entry.provider_slug, entry.model_id.lower())
        if identity in matched:
            pk, model_id = matched[identity]
            plan.model_pks[identity] = pk
            _plan_model(plan, entry, model_id, rows_by_model.get(pk, []), rates)
        elif identity in aliases:
            # A catalog model already answers to this id (e.g. a dated snapshot kept as an
            # alias); a second model of that name would make usage exports ambiguous.
            plan.skipped[ALIAS_REASON] += 1
        else:
            plan.new_models.append(entry)
            _plan_model(plan, entry, entry.model_id, [], rates)
    return plan


def unreviewed_note(kind: Source) -> str:
    return f"created by a {kind.name} import; not reviewed"


def create_providers(plan: ImportPlan, kind: Source) -> dict[str, int]:
    Provider.objects.bulk_create(
        [
            Provider(
                slug=slug,
                name=source_name,
                country="",
                region=Region.GLOBAL,
                billing_currency=Currency.USD,
                notes=unreviewed_note(kind),
                origin=Origin.IMPORT,
            )
            for slug, source_name in sorted(plan.new_providers.items())
        ]
    )
    slugs = {e.provider_slug for e in plan.new_models}
    return dict(Provider.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def create_models(plan: ImportPlan, provider_pks: dict[str, int], kind: Source) -> None:
    LLMModel.objects.bulk_create(
        [
            LLMModel(
                provider_id=provider_pks[e.provider_slug],
                model_id=e.model_id,
                display_name=e.model_id,
                tier=tier_for(e.base),
                context_window=e.context_window,
                max_output_tokens=e.max_output_tokens,
                notes=f"{unreviewed_note(kind)} ({kind.name} key {e.key})",
                origin=Origin.IMPORT,
            )
            for e in plan.new_models
        ],
        batch_size=500,
    )
    created = LLMModel.objects.filter(provider_id__in=provider_pks.values()).values_list(
        "pk", "provider__slug", "model_id"
    )
    for pk, slug, model_id in created:
        plan.model_pks.setdefault((slug, model_id.lower()), pk)


def create_prices(plan: ImportPlan, source_label: str, kind: Source) -> None:
    def source_text(p: NewPrice) -> str:
        dated = f", price dated {p.effective_from}" if p.effective_from != plan.day else ""
        return f"{kind.name} price data, key {p.entry.key} ({source_label}{dated})"

    Price.objects.bulk_create(
        [
            Price(
                model_id=plan.model_pks[(p.entry.provider_slug, p.entry.model_id.lower())],
                effective_from=p.effective_from,
                effective_to=p.effective_to,
                currency=Currency.USD,
                min_prompt_tokens=p.tier.min_prompt_tokens,
                source_url=p.entry.source_url,
                source=source_text(p),
                verification=kind.verification,
                checked_on=plan.day,
                origin=Origin.IMPORT,
                **p.tier.values(),
            )
            for p in plan.new_prices
        ],
        batch_size=500,
    )


def apply_plan(plan: ImportPlan, source_label: str, kind: Source) -> None:
    """Carry out the plan; the caller owns the transaction."""
    if plan.delete_pks:
        Price.objects.filter(pk__in=plan.delete_pks, origin=Origin.IMPORT).delete()
    by_day: dict[dt.date, list[int]] = {}
    for pk, day in plan.close_pks.items():
        by_day.setdefault(day, []).append(pk)
    for day, pks in by_day.items():
        Price.objects.filter(pk__in=pks).update(effective_to=day)
    provider_pks = create_providers(plan, kind) if plan.new_models or plan.new_providers else {}
    if plan.new_models:
        create_models(plan, provider_pks, kind)
    if plan.new_prices:
        create_prices(plan, source_label, kind)
    if plan.writes_anything or plan.delete_pks:
        CatalogState.bump()


@dataclass
class ImportReport:
    source: str
    day: dt.date
    dry_run: bool
    plan: ImportPlan
    parsed: ParseResult
    kind: Source

    @property
    def skipped(self) -> Counter[str]:
        return self.parsed.skipped + self.plan.skipped

    def _changes(self, list_limit: int | None) -> list[str]:
        lines = []
        for title, changes in (("added", self.plan.added), ("changed", self.plan.changed)):
            if not changes:
                continue
            lines.append(f"{title}:")
            shown = changes if list_limit is None else changes[:list_limit]
            for c in shown:
                new = "; ".join(c.new) or "(tier removed)"
                if c.old:
                    lines.append(f"  {c.provider}/{c.model_id}: {'; '.join(c.old)} -> {new}")
                else:
                    lines.append(f"  {c.provider}/{c.model_id}: {new}")
            if len(shown) < len(changes):
                lines.append(f"  ... and {len(changes) - len(shown)} more (use --verbosity 2)")
        return lines

    def _findings(self) -> list[str]:
        plan = self.plan
        lines = []
        if self.skipped:
            lines.append("skipped by reason:")
            for reason, count in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {reason}: {count}")
        if plan.discrepancies:
            lines.append("discrepancies (our seed/admin price kept):")
            lines += [f"  {d.describe()}" for d in plan.discrepancies]
        if plan.unconverted:
            lines.append(
                f"not compared, no exchange rate on or before {self.day}: "
                + ", ".join(plan.unconverted)
            )
        return lines

    def summary(self, *, list_limit: int | None = 20) -> str:
        plan = self.plan
        head = "DRY RUN (nothing written): " if self.dry_run else ""
        lines = [
            f"{head}{self.kind.name} import from {self.source} as of {self.day}",
            f"dates: {self.kind.dates}",
            f"added: {len(plan.added)}  changed: {len(plan.changed)}  unchanged: {plan.unchanged}"
            f"  skipped: {sum(self.skipped.values())}  discrepancies: {len(plan.discrepancies)}",
        ]
        if plan.new_providers:
            lines.append(
                f"new providers ({unreviewed_note(self.kind)}): {', '.join(sorted(plan.new_providers))}"
            )
        if self.parsed.filtered_out:
            lines.append(f"not in --provider: {self.parsed.filtered_out}")
        return "\n".join(lines + self._changes(list_limit) + self._findings())


def record_failed_run(source: str, *, dry_run: bool, error: str) -> None:
    """Leave a trace of a run that stopped, so the back office sees failing imports."""
    ImportRun.objects.create(
        source=source[:500], dry_run=dry_run, succeeded=False, summary=f"failed: {error}"
    )


def _record(report: ImportReport, *, source: str, dry_run: bool) -> None:
    plan = report.plan
    ImportRun.objects.create(
        source=source[:500],
        dry_run=dry_run,
        succeeded=True,
        added=len(plan.added),
        changed=len(plan.changed),
        unchanged=plan.unchanged,
        skipped=sum(report.skipped.values()),
        skipped_reasons=dict(report.skipped),
        discrepancies=[d.as_json() for d in plan.discrepancies],
        summary=report.summary(list_limit=None),
    )


def import_price_map(
    parsed: ParseResult, *, source: str, day: dt.date, kind: Source, dry_run: bool = False
) -> ImportReport:
    """Import ``parsed`` (read from ``source``) as the price history known on ``day``, all
    or nothing.

    A dry run performs the same writes inside the transaction and rolls them back, so it
    meets every database constraint a real run would. Each run, dry or failed, leaves an
    ``ImportRun`` written outside that transaction.
    """
    try:
        with transaction.atomic():
            plan = plan_import(parsed, day, kind)
            apply_plan(plan, source, kind)
            if dry_run:
                transaction.set_rollback(True)
    except Exception as exc:
        record_failed_run(source, dry_run=dry_run, error=f"{type(exc).__name__}: {exc}")
        raise
    report = ImportReport(
        source=source, day=day, dry_run=dry_run, plan=plan, parsed=parsed, kind=kind
    )
    _record(report, source=source, dry_run=dry_run)
    return report
