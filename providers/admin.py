"""The back office: staff keep prices and offers current here.

Any change staff make to a row written by the seed (or by an importer) marks the row
``origin="admin"``, so ``seed_catalog`` never overwrites it (``--reset`` does).
The catalog rules live in the models' ``clean()``; the admin forms call it, so its
messages appear next to the offending field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import admin
from django.db.models import Count, Prefetch, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.engine.catalog_types import CURRENCY_SYMBOLS

from .models import (
    ExchangeRate,
    ImportRun,
    LLMModel,
    MeterRule,
    ModelEquivalent,
    Offer,
    Origin,
    Price,
    Provider,
)

EDIT_MARKS_ADMIN = (Origin.SEED, Origin.IMPORT)


def today() -> dt.date:
    return timezone.localdate()


def format_money(amount: Decimal | None, currency: str) -> str:
    """``¥1.00``, ``$0.075``: two decimals at least, more only when the figure has them."""
    if amount is None:
        return "—"
    value = amount.normalize()
    if value.as_tuple().exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{value:f}"


def mark_edited(obj, changed: bool) -> None:
    """A staff edit takes the row away from the seed / importer."""
    if changed and obj.pk and obj.origin in EDIT_MARKS_ADMIN:
        obj.origin = Origin.ADMIN


class OriginAdminMixin:
    """Shared by every catalog admin: origin is shown, never typed, and edits claim the row."""

    readonly_fields: tuple[str, ...] = ("origin", "seed_key", "updated_at")

    class Media:
        css = {"all": ["dashboard/admin.css"]}  # model pickers wide enough for their labels

    def save_model(self, request: HttpRequest, obj, form: ModelForm, change: bool) -> None:
        mark_edited(obj, change and form.has_changed())
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed() and hasattr(instance, "origin"):
                mark_edited(instance, True)
        super().save_formset(request, form, formset, change)


class ActiveTodayFilter(admin.SimpleListFilter):
    """Rows in force today, as the model's QuerySet defines it (``Price.objects.in_force``,
    ``Offer.objects.active_on``)."""

    title = "active today"
    parameter_name = "active_today"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Active today"), ("no", "Not active today")]

    def active(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(pk__in=self.active(queryset.model.objects.all()).values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=self.active(queryset.model.objects.all()).values("pk"))
        return queryset


class PriceActiveTodayFilter(ActiveTodayFilter):
    def active(self, queryset: QuerySet) -> QuerySet:
        return queryset.in_force(today())


class OfferActiveTodayFilter(ActiveTodayFilter):
    def active(self, queryset: QuerySet) -> QuerySet:
        return queryset.active_on(today())


# ---------------------------------------------------------------- providers and models


class LLMModelInline(admin.TabularInline):
    model = LLMModel
    fields = ("model_id", "display_name", "tier", "token_ratio", "origin")
    readonly_fields = ("origin",)
    extra = 0
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(OriginAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "name_zh",
        "region",
        "billing_currency",
        "openai_compatible",
        "model_count",
        "origin",
    )
    list_filter = ("region", "billing_currency", "openai_compatible", "origin")
    search_fields = ("name", "slug", "name_zh")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [LLMModelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(model_count=Count("models"))

    @admin.display(description=_("models"), ordering="model_count")
    def model_count(self, obj: Provider) -> int:
        return obj.model_count


class PriceInline(admin.TabularInline):
    model = Price
    fields = (
        "effective_from",
        "effective_to",
        "min_prompt_tokens",
        "currency",
        "input_per_mtok",
        "output_per_mtok",
        "cache_read_per_mtok",
        "verification",
        "origin",
    )
    readonly_fields = ("origin",)
    extra = 0
    show_change_link = True


@admin.register(LLMModel)
class LLMModelAdmin(OriginAdminMixin, admin.ModelAdmin):
    list_display = (
        "model_id",
        "provider",
        "display_name",
        "tier",
        "token_ratio",
        "price_today",
        "origin",
    )
    list_filter = ("provider", "tier", "origin")
    search_fields = ("model_id", "display_name", "family", "provider__name", "provider__slug")
    list_select_related = ("provider",)
    autocomplete_fields = ("provider",)
    inlines = [PriceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        in_force = Price.objects.in_force(today()).filter(min_prompt_tokens=0)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("prices", queryset=in_force, to_attr="prices_today"))
        )

    @admin.display(description=_("price in force today"))
    def price_today(self, obj: LLMModel) -> str:
        prices = getattr(obj, "prices_today", None)
        if prices is None:
            prices = list(obj.prices.in_force(today()).filter(min_prompt_tokens=0))
        if not prices:
            return "no price"
        price = prices[0]
        return (
            f"{format_money(price.input_per_mtok, price.currency)} / "
            f"{format_money(price.output_per_mtok, price.currency)} per 1M"
        )


@admin.register(Price)
class PriceAdmin(OriginAdminMixin, admin.ModelAdmin):
    list_display = (
        "model",
        "effective_from",
        "effective_to",
        "min_prompt_tokens",
        "currency",
        "input_per_mtok",
        "output_per_mtok",
        "cache_read_per_mtok",
        "verification",
        "active_today",
        "origin",
    )
    list_filter = (
        PriceActiveTodayFilter,
        "model__provider",
        "currency",
        "model__tier",
        "verification",
        "origin",
    )
    search_fields = (
        "model__model_id",
        "model__provider__name",
        "model__provider__slug",
        "source",
        "notes",
    )
    list_select_related = ("model__provider",)
    autocomplete_fields = ("model",)
    date_hierarchy = "effective_from"

    @admin.display(description=_("active today"), boolean=True)
    def active_today(self, obj: Price) -> bool:
        return obj.in_force_on(today())


@admin.register(Offer)
class OfferAdmin(OriginAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "provider",
        "amount",
        "per_model",
        "eligibility",
        "starts_on",
        "ends_on",
        "last_seen_on",
        "assumed_until",
        "valid_days_after_claim",
        "active_today",
        "verification",
        "origin",
    )
    list_filter = (
        OfferActiveTodayFilter,
        "provider",
        "eligibility",
        "credit_currency",
        "verification",
        "origin",
    )
    search_fields = ("name", "provider__name", "provider__slug", "conditions", "source")
    list_select_related = ("provider",)
    autocomplete_fields = ("provider", "eligible_models")
    date_hierarchy = "starts_on"

    @admin.display(description=_("free tokens / credit"))
    def amount(self, obj: Offer) -> str:
        if obj.free_tokens is not None:
            return f"{obj.free_tokens:,} tokens"
        return format_money(obj.credit_amount, obj.credit_currency)

    @admin.display(description=_("assumed running until"))
    def assumed_until(self, obj: Offer) -> dt.date | None:
        return obj.assumed_until

    @admin.display(description=_("active today"), boolean=True)
    def active_today(self, obj: Offer) -> bool:
        return obj.active_on(today())


@admin.register(ExchangeRate)
class ExchangeRateAdmin(OriginAdminMixin, admin.ModelAdmin):
    readonly_fields = ("origin", "updated_at")  # matched by day and currency: no seed key
    list_display = ("day", "currency", "per_usd", "origin")
    list_filter = ("currency", "origin")
    search_fields = ("source",)
    date_hierarchy = "day"


@admin.register(ModelEquivalent)
class ModelEquivalentAdmin(OriginAdminMixin, admin.ModelAdmin):
    readonly_fields = ("origin", "updated_at")  # matched by its two models: no seed key
    list_display = ("source", "target", "note", "origin")
    list_filter = ("origin", "source__provider", "target__provider")
    search_fields = ("source__model_id", "target__model_id", "note")
    list_select_related = ("source__provider", "target__provider")
    autocomplete_fields = ("source", "target")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Read-only history of price imports."""

    list_display = (
        "source",
        "started_at",
        "dry_run",
        "succeeded",
        "added",
        "changed",
        "unchanged",
        "skipped",
        "discrepancy_count",
    )
    list_filter = ("succeeded", "dry_run")
    search_fields = ("source", "summary")
    date_hierarchy = "started_at"

    @admin.display(description=_("discrepancies"))
    def discrepancy_count(self, obj: ImportRun) -> int:
        return len(obj.discrepancies or [])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False


@admin.register(MeterRule)
class MeterRuleAdmin(OriginAdminMixin, admin.ModelAdmin):
    """Cloud-bill meter spellings: a bill with a new meter name is fixed here, not in code."""

    list_display = (
        "pattern", "bill", "model", "token_kind", "batch", "tokens_per_unit", "priority", "origin"
    )
    list_filter = ("bill", "token_kind", "batch", "origin")
    search_fields = ("pattern", "model__model_id", "model__provider__slug", "notes", "source")
    readonly_fields = ("origin", "updated_at")  # matched by bill and pattern: no seed key
    autocomplete_fields = ("model",)
    list_select_related = ("model", "model__provider")
    fields = (
        "bill", "pattern", "model", "token_kind", "batch", "tokens_per_unit", "priority",
        "source", "notes", "origin", "updated_at",
    )
