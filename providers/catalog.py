"""The only bridge from the ORM to the engine: an immutable `Catalog` snapshot.

A snapshot costs a fixed number of queries (one per table, whatever the catalog's size) and
is cached per process, keyed by `CatalogState.version`, which the signals in
`providers.signals` bump on every catalog save or delete. So `get_catalog()` costs one cheap
query while nothing changed, and rebuilds only after an edit.
"""

from __future__ import annotations

import threading

from django.db.models.signals import m2m_changed, post_delete, post_save

from dashboard.engine.catalog_types import (
    Catalog,
    ModelInfo,
    OfferInfo,
    PriceRow,
    ProviderInfo,
    RateRow,
)

from .models import (
    CatalogState,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Price,
    Provider,
    assumed_until,
)
from .signals import CATALOG_MODELS

_lock = threading.Lock()
_cached: tuple[int, Catalog] | None = None


def _float(value: object) -> float | None:
    return None if value is None else float(value)


def build_catalog() -> Catalog:
    """Read the whole catalog from the database in a constant number of queries."""
    providers = [
        ProviderInfo(
            slug=p["slug"],
            name=p["name"],
            billing_currency=p["billing_currency"],
            region=p["region"],
        )
        for p in Provider.objects.values("slug", "name", "billing_currency", "region")
    ]
    models = [
        ModelInfo(
            key=m["pk"],
            provider=m["provider__slug"],
            model_id=m["model_id"],
            display_name=m["display_name"],
            tier=m["tier"],
            token_ratio=float(m["token_ratio"]),
            aliases=tuple(a for a in (m["aliases"] or []) if isinstance(a, str)),
            context_window=m["context_window"],
            max_output_tokens=m["max_output_tokens"],
            family=m["family"] or "",
            released_on=m["released_on"],
        )
        for m in LLMModel.objects.values(
            "pk",
            "provider__slug",
            "model_id",
            "display_name",
            "tier",
            "token_ratio",
            "aliases",
            "context_window",
            "max_output_tokens",
            "family",
            "released_on",
        )
    ]
    prices = [
        PriceRow(
            model=p["model_id"],
            effective_from=p["effective_from"],
            effective_to=p["effective_to"],
            currency=p["currency"],
            input_per_mtok=float(p["input_per_mtok"]),
            output_per_mtok=float(p["output_per_mtok"]),
            cache_read_per_mtok=_float(p["cache_read_per_mtok"]),
            cache_write_per_mtok=_float(p["cache_write_per_mtok"]),
            batch_input_per_mtok=_float(p["batch_input_per_mtok"]),
            batch_output_per_mtok=_float(p["batch_output_per_mtok"]),
            min_prompt_tokens=p["min_prompt_tokens"],
            verification=p["verification"],
        )
        for p in Price.objects.values(
            "model_id",
            "effective_from",
            "effective_to",
            "currency",
            "input_per_mtok",
            "output_per_mtok",
            "cache_read_per_mtok",
            "cache_write_per_mtok",
            "batch_input_per_mtok",
            "batch_output_per_mtok",
            "min_prompt_tokens",
            "verification",
        )
    ]
    eligible: dict[int, set[int]] = {}
    through = Offer.eligible_models.through
    for offer_id, model_id in through.objects.values_list("offer_id", "llmmodel_id"):
        eligible.setdefault(offer_id, set()).add(model_id)
    offers = [
        OfferInfo(
            key=o["pk"],
            provider=o["provider__slug"],
            name=o["name"],
            eligible_models=frozenset(eligible.get(o["pk"], ())),
            free_tokens=o["free_tokens"],
            credit_amount=_float(o["credit_amount"]),
            credit_currency=o["credit_currency"] or None,
            token_kind=o["token_kind"],
            per_model=o["per_model"],
            eligibility=o["eligibility"],
            starts_on=o["starts_on"],
            ends_on=o["ends_on"],
            valid_days_after_claim=o["valid_days_after_claim"],
            verification=o["verification"],
            source_url=o["source_url"],
            last_seen_on=o["last_seen_on"],
            assumed_until=assumed_until(
                o["ends_on"], o["last_seen_on"], o["assume_running_months"]
            ),
        )
        for o in Offer.objects.values(
            "pk",
            "provider__slug",
            "name",
            "free_tokens",
            "credit_amount",
            "credit_currency",
            "token_kind",
            "per_model",
            "eligibility",
            "starts_on",
            "ends_on",
            "valid_days_after_claim",
            "verification",
            "source_url",
            "last_seen_on",
            "assume_running_months",
        )
    ]
    rates = [
        RateRow(day=r["day"], currency=r["currency"], per_usd=float(r["per_usd"]))
        for r in ExchangeRate.objects.values("day", "currency", "per_usd")
    ]
    equivalents = list(ModelEquivalent.objects.values_list("source_id", "target_id"))
    return Catalog.build(
        providers=providers,
        models=models,
        prices=prices,
        offers=offers,
        rates=rates,
        equivalents=equivalents,
    )


def rates_catalog() -> Catalog:
    """A snapshot holding only the exchange rates (one query), for code that converts
    with the engine's rule but needs no models or prices (importers, crosscheck)."""
    rates = [
        RateRow(day=r["day"], currency=r["currency"], per_usd=float(r["per_usd"]))
        for r in ExchangeRate.objects.values("day", "currency", "per_usd")
    ]
    return Catalog.build(providers=[], models=[], rates=rates)


def get_catalog() -> Catalog:
    """The current snapshot: one version query, plus a rebuild when the catalog changed."""
    global _cached
    version = CatalogState.current()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
        catalog = build_catalog()
        _cached = (version, catalog)
        return catalog


def version_of(catalog: Catalog) -> int:
    """The catalog version `catalog` was built at: no query when it is this process's current
    snapshot (what `get_catalog` just returned), else the version in the database."""
    cached = _cached
    if cached is not None and cached[1] is catalog:
        return cached[0]
    return CatalogState.current()


def clear_catalog_cache(*args: object, **kwargs: object) -> None:
    """Forget this process's snapshot.

    Other processes notice edits through the version. This process also forgets on every
    catalog signal, because a rolled-back transaction (every Django test) can hand the same
    version number to a different catalog.
    """
    global _cached
    with _lock:
        _cached = None


for _model in CATALOG_MODELS:
    post_save.connect(clear_catalog_cache, sender=_model, dispatch_uid=f"snapshot-save-{_model}")
    post_delete.connect(
        clear_catalog_cache, sender=_model, dispatch_uid=f"snapshot-delete-{_model}"
    )
m2m_changed.connect(
    clear_catalog_cache, sender=Offer.eligible_models.through, dispatch_uid="snapshot-offer-models"
)
