"""Writing a parsed LiteLLM price map into the catalog as dated price history.

Rules (DESIGN.md, issue #6): an import never edits a price row. When LiteLLM's price of a
model differs from the import-origin row in force on the import date, that row is closed
(``effective_to`` = import date) and a new one starts on it; unchanged prices write nothing.
Seed and admin prices are never closed or overwritten: a disagreement is recorded as a
discrepancy instead. Everything happens in one transaction, with bulk queries (3000+
models), and ``CatalogState.bump()`` once at the end because bulk writes send no signals.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

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
    Verification,
)

from .crosscheck import Discrepancy, compare_rows, rates_on, unconverted_label
from .litellm import PRICE_FIELDS, LiteLLMModel, ParseResult, TierPrice

UNREVIEWED_NOTE = "created by LiteLLM import; not reviewed"
KEPT_REASON = "seed/admin price in force (kept)"
ALIAS_REASON = "alias of an existing model"


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


def _same(row: Price, tier: TierPrice) -> bool:
    if row.currency != Currency.USD:
        return False
    return all(getattr(row, name) == getattr(tier, name) for name in PRICE_FIELDS)


def _describe(tier: TierPrice | Price) -> str:
    parts = []
    for name in PRICE_FIELDS:
        value = getattr(tier, name)
        if value is not None:
            parts.append(
                f"{name.removesuffix('_per_mtok')} {format(Decimal(value).normalize(), 'f')}"
            )
    floor = f">= {tier.min_prompt_tokens} tokens: " if tier.min_prompt_tokens else ""
    return floor + ", ".join(parts)


@dataclass
class ModelChange:
    provider: str
    model_id: str
    key: str
    old: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)


@dataclass
class NewPrice:
    entry: LiteLLMModel
    tier: TierPrice
    effective_to: dt.date | None


@dataclass
class ImportPlan:
    day: dt.date
    new_providers: dict[str, str] = field(default_factory=dict)  # slug -> litellm name
    new_models: list[LiteLLMModel] = field(default_factory=list)
    model_pks: dict[tuple[str, str], int] = field(default_factory=dict)  # (slug, id lower) -> pk
    close_pks: list[int] = field(default_factory=list)
    delete_pks: list[int] = field(default_factory=list)
    new_prices: list[NewPrice] = field(default_factory=list)
    added: list[ModelChange] = field(default_factory=list)
    changed: list[ModelChange] = field(default_factory=list)
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    unconverted: list[str] = field(default_factory=list)  # seed/admin rows with no rate

    @property
    def writes_anything(self) -> bool:
        return bool(self.new_providers or self.new_models or self.close_pks or self.new_prices)


def _plan_model(
    plan: ImportPlan,
    entry: LiteLLMModel,
    model_id: str,
    rows: list[Price],
    rates: dict[str, Decimal],
) -> None:
    """Decide what one known or new model needs; ``rows`` are its price rows in force on
    the import date or starting after it."""
    day = plan.day
    kept = [r for r in rows if r.origin != Origin.IMPORT]
    if kept:
        # A seed/admin row in force (or scheduled) owns the model; only report disagreement.
        in_force = [r for r in kept if r.in_force_on(day)]
        missing = unconverted_label(in_force, rates, f"{entry.provider_slug}/{model_id}")
        if missing:
            plan.unconverted.append(missing)
        plan.discrepancies += compare_rows(
            in_force, entry, provider=entry.provider_slug, model_id=model_id, rates=rates
        )
        plan.skipped[KEPT_REASON] += 1
        return
    current = {r.min_prompt_tokens: r for r in rows if r.in_force_on(day)}
    later_starts: dict[int, dt.date] = {}
    for r in rows:
        if r.effective_from > day:
            floor = r.min_prompt_tokens
            later_starts[floor] = min(later_starts.get(floor, r.effective_from), r.effective_from)
    wanted = {t.min_prompt_tokens: t for t in entry.tiers}
    change = ModelChange(provider=entry.provider_slug, model_id=model_id, key=entry.key)
    for floor, row in sorted(current.items()):
        tier = wanted.get(floor)
        if tier is not None and _same(row, tier):
            continue
        change.old.append(_describe(row))
        # A row that starts on the import date itself cannot be closed on it (that would
        # leave it zero days long): a second import on the same day replaces it.
        (plan.delete_pks if row.effective_from == day else plan.close_pks).append(row.pk)
    for floor, tier in sorted(wanted.items()):
        row = current.get(floor)
        if row is not None and _same(row, tier):
            continue
        until = row.effective_to if row is not None else later_starts.get(floor)
        plan.new_prices.append(NewPrice(entry=entry, tier=tier, effective_to=until))
        change.new.append(_describe(tier))
    if not change.old and not change.new:
        plan.unchanged += 1
    elif current:
        plan.changed.append(change)
    else:
        plan.added.append(change)


def plan_import(parsed: ParseResult, day: dt.date) -> ImportPlan:
    """Read the catalog once and work out every write the import needs (writes nothing)."""
    plan = ImportPlan(day=day)
    slugs = {e.provider_slug for e in parsed.models}
    existing_providers = set(Provider.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    for entry in parsed.models:
        if entry.provider_slug not in existing_providers:
            plan.new_providers.setdefault(entry.provider_slug, entry.litellm_provider)
    known: dict[tuple[str, str], tuple[int, str]] = {}
    aliases: set[tuple[str, str]] = set()
    for pk, slug, model_id, model_aliases in LLMModel.objects.filter(
        provider__slug__in=existing_providers
    ).values_list("pk", "provider__slug", "model_id", "aliases"):
        known.setdefault((slug, model_id.lower()), (pk, model_id))
        aliases.update((slug, a.lower()) for a in model_aliases or [] if isinstance(a, str))
    matched = {
        identity: known[identity]
        for identity in ((e.provider_slug, e.model_id.lower()) for e in parsed.models)
        if identity in known
    }
    rows_by_model: dict[int, list[Price]] = {}
    relevant = Q(effective_to__isnull=True) | Q(effective_to__gt=day)
    for row in Price.objects.filter(relevant, model_id__in=[pk for pk, _ in matched.values()]):
        rows_by_model.setdefault(row.model_id, []).append(row)
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


def create_providers(plan: ImportPlan) -> dict[str, int]:
    Provider.objects.bulk_create(
        [
            Provider(
                slug=slug,
                name=litellm_name,
                country="",
                region=Region.GLOBAL,
                billing_currency=Currency.USD,
                notes=UNREVIEWED_NOTE,
                origin=Origin.IMPORT,
            )
            for slug, litellm_name in sorted(plan.new_providers.items())
        ]
    )
    slugs = {e.provider_slug for e in plan.new_models}
    return dict(Provider.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def create_models(plan: ImportPlan, provider_pks: dict[str, int]) -> None:
    LLMModel.objects.bulk_create(
        [
            LLMModel(
                provider_id=provider_pks[e.provider_slug],
                model_id=e.model_id,
                display_name=e.model_id,
                tier=tier_for(e.base),
                context_window=e.context_window,
                max_output_tokens=e.max_output_tokens,
                notes=f"{UNREVIEWED_NOTE} (LiteLLM key {e.key})",
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


def create_prices(plan: ImportPlan, source_label: str) -> None:
    Price.objects.bulk_create(
        [
            Price(
                model_id=plan.model_pks[(p.entry.provider_slug, p.entry.model_id.lower())],
                effective_from=plan.day,
                effective_to=p.effective_to,
                currency=Currency.USD,
                min_prompt_tokens=p.tier.min_prompt_tokens,
                source_url=p.entry.source_url,
                source=f"LiteLLM price map, key {p.entry.key} ({source_label})",
                # LiteLLM is an undated third-party mirror of the providers' lists.
                verification=Verification.UNVERIFIED,
                checked_on=plan.day,
                origin=Origin.IMPORT,
                **p.tier.values(),
            )
            for p in plan.new_prices
        ],
        batch_size=500,
    )


def apply_plan(plan: ImportPlan, source_label: str) -> None:
    """Carry out the plan; the caller owns the transaction."""
    if plan.delete_pks:
        Price.objects.filter(pk__in=plan.delete_pks, origin=Origin.IMPORT).delete()
    if plan.close_pks:
        Price.objects.filter(pk__in=plan.close_pks).update(effective_to=plan.day)
    provider_pks = create_providers(plan) if plan.new_models or plan.new_providers else {}
    if plan.new_models:
        create_models(plan, provider_pks)
    if plan.new_prices:
        create_prices(plan, source_label)
    if plan.writes_anything or plan.delete_pks:
        CatalogState.bump()


@dataclass
class ImportReport:
    source: str
    day: dt.date
    dry_run: bool
    plan: ImportPlan
    parsed: ParseResult

    @property
    def skipped(self) -> Counter[str]:
        return self.parsed.skipped + self.plan.skipped

    def summary(self, *, list_limit: int | None = 20) -> str:
        plan = self.plan
        head = "DRY RUN (nothing written): " if self.dry_run else ""
        lines = [
            f"{head}LiteLLM import from {self.source} as of {self.day}",
            f"added: {len(plan.added)}  changed: {len(plan.changed)}  unchanged: {plan.unchanged}"
            f"  skipped: {sum(self.skipped.values())}  discrepancies: {len(plan.discrepancies)}",
        ]
        if plan.new_providers:
            lines.append(
                f"new providers ({UNREVIEWED_NOTE}): {', '.join(sorted(plan.new_providers))}"
            )
        if self.parsed.filtered_out:
            lines.append(f"not in --provider: {self.parsed.filtered_out}")
        for title, changes in (("added", plan.added), ("changed", plan.changed)):
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
        return "\n".join(lines)


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
    parsed: ParseResult, *, source: str, day: dt.date, dry_run: bool = False
) -> ImportReport:
    """Import ``parsed`` as the price list of ``day``, all or nothing.

    A dry run performs the same writes inside the transaction and rolls them back, so it
    meets every database constraint a real run would. Each run, dry or failed, leaves an
    ``ImportRun`` written outside that transaction.
    """
    try:
        with transaction.atomic():
            plan = plan_import(parsed, day)
            apply_plan(plan, source)
            if dry_run:
                transaction.set_rollback(True)
    except Exception as exc:
        record_failed_run(source, dry_run=dry_run, error=f"{type(exc).__name__}: {exc}")
        raise
    report = ImportReport(source=source, day=day, dry_run=dry_run, plan=plan, parsed=parsed)
    _record(report, source=source, dry_run=dry_run)
    return report
