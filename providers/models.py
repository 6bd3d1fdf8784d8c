"""The provider catalog: providers, models, dated prices, offers, exchange rates.

Every domain rule of DESIGN.md that concerns the catalog is enforced twice: in the
model's ``clean()`` (so the admin shows a clear message next to the field) and, where a
database can express it, by a constraint (so no code path can store a broken row).
Prices are stored per 1M tokens in the provider's own currency, never converted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboard.engine.catalog_types import offer_running_on, period_in_force
from dashboard.engine.text import Worded


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    CNY = "CNY", _("Chinese yuan")


class Region(models.TextChoices):
    MAINLAND_CHINA = "mainland_china", _("Mainland China")
    INTERNATIONAL = "international", _("International")
    GLOBAL = "global", _("Global")


class Tier(models.TextChoices):
    FRONTIER = "frontier", _("Frontier")
    FLAGSHIP = "flagship", _("Flagship")
    BALANCED = "balanced", _("Balanced")
    ECONOMY = "economy", _("Economy")
    FREE = "free", _("Free")


class Verification(models.TextChoices):
    OFFICIAL = "verified-official", _("Verified (official)")
    TWO_SOURCES = "verified-2+sources", _("Verified (2+ sources)")
    SINGLE = "single-source", _("Single source")
    UNVERIFIED = "unverified", _("Unverified")


class Origin(models.TextChoices):
    """Who wrote a row: the seed is restored by seed_catalog, admin edits never are."""

    SEED = "seed", _("Seed catalog")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")


class TokenKind(models.TextChoices):
    INPUT = "input", _("Input tokens")
    OUTPUT = "output", _("Output tokens")
    BOTH = "both", _("Input and output tokens")


class Eligibility(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    OPENAI_MIGRANTS = "openai_migrants", _("Teams moving from OpenAI")
    VERIFIED_ACCOUNTS = "verified_accounts", _("Verified accounts")


NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
MAX_ASSUMED_RUNNING_MONTHS = 60


def seed_key_field() -> models.CharField:
    return models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Stable id of the seed row this came from (fixtures/catalog); empty for "
        "rows created here or by an import."),
    )


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (2024-08-31 + 6 = 2025-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_last_seen(day: dt.date, months: int) -> dt.date:
    """The earliest "last seen running" date whose assumption window still covers ``day``:
    the inverse of ``months_after`` (``months_after(x, months) >= day`` exactly when
    ``x >= earliest_last_seen(day, months)``)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= calendar.monthrange(year, month)[1]:
        return dt.date(year, month, day.day)
    # No such day in that month (e.g. the 30th of February): every day of that month
    # reaches only the month's end, so the window starts on the next month's first day.
    return months_after(dt.date(year, month, 1), 1)


def default_assumed_running_months() -> int:
    return settings.OFFER_ASSUMED_RUNNING_MONTHS


def assumed_until(
    ends_on: dt.date | None, last_seen_on: dt.date | None, months: int | None
) -> dt.date | None:
    """Last day an offer whose end is not published is assumed to still run: the day it
    was last seen running plus its window (``months``, else the site default). None when
    the end is published (or, for a row that breaks the rules, never seen running)."""
    if ends_on is not None or last_seen_on is None:
        return None
    return months_after(last_seen_on, months or default_assumed_running_months())


class PriceQuerySet(models.QuerySet):
    def in_force(self, day: dt.date) -> PriceQuerySet:
        """Rows in force on ``day``: started on or before it and not yet ended (the end is
        exclusive). The one ORM home of that rule (the engine's is ``PriceRow.in_force_on``)."""
        return self.filter(price_in_force_q(day))


def price_in_force_q(day: dt.date, prefix: str = "") -> Q:
    """``in_force`` as a Q, for filters across a relation (``prefix="prices__"``)."""
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gt": day})
    )


class OfferQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> OfferQuerySet:
        """Offers that can be claimed on ``day``: its campaign has started and has not
        ended, where an offer whose end is not published counts as running only until its
        assumption window after ``last_seen_on`` closes (the engine's rule, see
        ``OfferInfo.assumed_until``). One small query reads the windows in use."""
        windows = set(
            self.filter(ends_on__isnull=True, assume_running_months__isnull=False)
            .values_list("assume_running_months", flat=True)
            .distinct()
        )
        open_ended = Q(
            assume_running_months__isnull=True,
            last_seen_on__gte=earliest_last_seen(day, default_assumed_running_months()),
        )
        for months in windows:
            open_ended |= Q(
                assume_running_months=months, last_seen_on__gte=earliest_last_seen(day, months)
            )
        return self.filter(
            Q(starts_on__lte=day)
            & (Q(ends_on__gte=day) | (Q(ends_on__isnull=True) & open_ended))
        )


class Provider(models.Model):
    seed_key = seed_key_field()
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    country = models.CharField(max_length=2, help_text=_("ISO 3166 code, e.g. CN, US"))
    region = models.CharField(max_length=20, choices=Region.choices)
    billing_currency = models.CharField(max_length=3, choices=Currency.choices)
    openai_compatible = models.BooleanField(_("OpenAI-compatible API"), default=False)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LLMModel(models.Model):
    seed_key = seed_key_field()
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="models")
    model_id = models.CharField(_("API model id"), max_length=200)
    display_name = models.CharField(max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    family = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    context_window = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Tokens; empty = unknown (never taken as unlimited).")
    )
    max_output_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Tokens; empty = unknown.")
    )
    context_sources = models.TextField(
        blank=True, help_text=_("Where the context window and max output figures come from.")
    )
    token_ratio = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=Decimal("1.000"),
        help_text=_("Tokens this model's tokenizer produces per OpenAI token for the same text."),
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Other ids a usage export may use for this model (dated snapshots, "
        "gateway prefixes, display names)."),
    )
    released_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider__name", "model_id"]
        verbose_name = _("LLM model")
        constraints = [
            models.UniqueConstraint(fields=["provider", "model_id"], name="model_unique_per_provider"),
            models.CheckConstraint(condition=Q(token_ratio__gt=0), name="model_token_ratio_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider.name} · {self.model_id}" if self.provider_id else self.model_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.token_ratio is not None and self.token_ratio <= 0:
            errors["token_ratio"] = _("The token ratio must be greater than 0.")
        if not isinstance(self.aliases, list) or not all(
            isinstance(a, str) and a.strip() for a in self.aliases
        ):
            errors["aliases"] = _('Aliases must be a JSON list of non-empty strings, e.g. ["gpt-4o-2024-08-06"].')
        if self.released_on and self.retired_on and self.retired_on < self.released_on:
            errors["retired_on"] = _("A model cannot be retired before it was released.")
        if errors:
            raise ValidationError(errors)


PRICE_FIELDS = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "batch_input_per_mtok",
    "batch_output_per_mtok",
)


def _money(verbose: str, *, optional: bool) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=14,
        decimal_places=6,
        null=optional,
        blank=optional,
        validators=NON_NEGATIVE,
    )


class Price(models.Model):
    """One list price of a model, in force from ``effective_from`` (inclusive) to
    ``effective_to`` (exclusive; open-ended when empty), per 1M tokens."""

    seed_key = seed_key_field()
    model = models.ForeignKey(LLMModel, on_delete=models.CASCADE, related_name="prices")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text=_("Exclusive; empty = still in force."))
    currency = models.CharField(max_length=3, choices=Currency.choices)
    input_per_mtok = _money("input / 1M", optional=False)
    output_per_mtok = _money("output / 1M", optional=False)
    cache_read_per_mtok = _money("cache read / 1M", optional=True)
    cache_write_per_mtok = _money("cache write / 1M", optional=True)
    batch_input_per_mtok = _money("batch input / 1M", optional=True)
    batch_output_per_mtok = _money("batch output / 1M", optional=True)
    min_prompt_tokens = models.PositiveIntegerField(
        default=0, help_text=_("Context tier floor: this row applies to prompts of at least this size.")
    )
    source_url = models.URLField(max_length=500, blank=True)
    source = models.TextField(blank=True, help_text=_("Where the figure comes from."))
    verification = models.CharField(max_length=20, choices=Verification.choices)
    checked_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PriceQuerySet.as_manager()

    class Meta:
        ordering = ["model", "min_prompt_tokens", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="price_effective_to_after_from",
            ),
            models.UniqueConstraint(
                fields=["model", "min_prompt_tokens", "effective_from"], name="price_unique_start"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}),
                    name=f"price_{f}_non_negative",
                )
                for f in PRICE_FIELDS
            ],
        ]

    def __str__(self) -> str:
        until = f"–{self.effective_to}" if self.effective_to else "–"
        return f"{self.model} {self.effective_from}{until}: {self.input_per_mtok}/{self.output_per_mtok} {self.currency}"

    def in_force_on(self, day: dt.date) -> bool:
        # The same rule as PriceQuerySet.in_force, for a row already loaded.
        return period_in_force(self.effective_from, self.effective_to, day)

    def overlapping(self) -> models.QuerySet[Price]:
        """Rows of the same model and context tier whose period meets this one's."""
        qs = Price.objects.filter(model_id=self.model_id, min_prompt_tokens=self.min_prompt_tokens)
        if self.pk:
            qs = qs.exclude(pk=self.pk)
        if self.effective_to is not None:
            qs = qs.filter(effective_from__lt=self.effective_to)
        return qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=self.effective_from))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in PRICE_FIELDS:
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("A price cannot be negative.")
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            errors["effective_to"] = _("The end date must be after the start date (it is exclusive).")
        if errors:
            raise ValidationError(errors)
        if self.model_id and self.effective_from and self.min_prompt_tokens is not None:
            clash = self.overlapping().first()
            if clash is not None:
                until = clash.effective_to or _("open-ended")
                raise ValidationError(
                    {
                        "effective_from": _(
                            "Overlaps the price in force %(start)s – %(until)s for this model and "
                            "context tier; close that row first."
                        )
                        % {"start": clash.effective_from, "until": until}
                    }
                )


class Offer(models.Model):
    """A promotion or free quota: free tokens or a money credit, claimed on a switch date."""

    seed_key = seed_key_field()
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    eligible_models = models.ManyToManyField(
        LLMModel, blank=True, related_name="offers", help_text=_("None selected = all of the provider's models.")
    )
    free_tokens = models.BigIntegerField(null=True, blank=True)
    credit_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    credit_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    token_kind = models.CharField(
        "tokens that count", max_length=6, choices=TokenKind.choices, default=TokenKind.BOTH
    )
    per_model = models.BooleanField(
        default=False, help_text=_("Each eligible model gets its own pool of this size.")
    )
    eligibility = models.CharField(max_length=20, choices=Eligibility.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text=_("Published campaign end (inclusive); empty = not published.")
    )
    last_seen_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("When the end is not published: the latest day a source shows the campaign "
        "still running. Required when the end is empty."),
    )
    assume_running_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ASSUMED_RUNNING_MONTHS)],
        help_text=_("An offer without a published end is only claimed up to this many months "
        "after it was last seen running; empty = the site default (OFFER_ASSUMED_RUNNING_MONTHS)."),
    )
    valid_days_after_claim = models.PositiveIntegerField(null=True, blank=True)
    conditions = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source = models.TextField(blank=True)
    verification = models.CharField(max_length=20, choices=Verification.choices)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "provider__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="offer_ends_after_start",
            ),
            models.CheckConstraint(
                # isnull=False is explicit: a CHECK passes when it evaluates to NULL.
                condition=(Q(free_tokens__isnull=False, free_tokens__gt=0) & Q(credit_amount__isnull=True))
                | (Q(free_tokens__isnull=True) & Q(credit_amount__isnull=False, credit_amount__gt=0)),
                name="offer_tokens_or_credit_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.name}" if self.provider_id else self.name

    @property
    def assumed_until(self) -> dt.date | None:
        return assumed_until(self.ends_on, self.last_seen_on, self.assume_running_months)

    def active_on(self, day: dt.date) -> bool:
        # The same rule as OfferQuerySet.active_on, for a row already loaded.
        return offer_running_on(self.starts_on, self.ends_on, self.assumed_until, day)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The campaign cannot end before it starts.")
        if self.ends_on is None and self.last_seen_on is None:
            errors["last_seen_on"] = _(
                "Give the published end date, or, when the end is not published, the latest "
                "day a source shows the campaign still running."
            )
        if self.starts_on and self.last_seen_on and self.last_seen_on < self.starts_on:
            errors["last_seen_on"] = _("The campaign cannot be seen running before it starts.")
        has_tokens = self.free_tokens is not None
        has_credit = self.credit_amount is not None
        if has_tokens == has_credit:
            errors["free_tokens"] = _("Give either a number of free tokens or a money credit (exactly one).")
        elif has_tokens and self.free_tokens <= 0:
            errors["free_tokens"] = _("Free tokens must be a positive number.")
        elif has_credit:
            if self.credit_amount <= 0:
                errors["credit_amount"] = _("The credit must be a positive amount.")
            if not self.credit_currency:
                errors["credit_currency"] = _("A credit needs its currency.")
        if errors:
            raise ValidationError(errors)


class ExchangeRate(models.Model):
    day = models.DateField()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    per_usd = models.DecimalField(_("units per USD"), max_digits=12, decimal_places=6)
    source = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["day", "currency"], name="rate_unique_per_day"),
            models.CheckConstraint(condition=Q(per_usd__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day} 1 USD = {self.per_usd} {self.currency}"

    def clean(self) -> None:
        if self.per_usd is not None and self.per_usd <= 0:
            raise ValidationError({"per_usd": _("An exchange rate must be greater than 0.")})


class ModelEquivalent(models.Model):
    """Admin's choice of which model replaces ``source`` on ``target``'s provider."""

    source = models.ForeignKey(LLMModel, on_delete=models.CASCADE, related_name="equivalents")
    target = models.ForeignKey(LLMModel, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "target"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="equivalent_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="equivalent_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    def clean(self) -> None:
        if not (self.source_id and self.target_id):
            return
        if self.source_id == self.target_id:
            raise ValidationError({"target": _("A model cannot be its own equivalent.")})
        target_provider = LLMModel.objects.filter(pk=self.target_id).values_list("provider_id", flat=True).first()
        clash = (
            ModelEquivalent.objects.filter(source_id=self.source_id, target__provider_id=target_provider)
            .exclude(pk=self.pk)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "target": _("%(source)s already maps to %(target)s on that provider.")
                    % {"source": self.source, "target": clash.target}
                }
            )


class CatalogState(models.Model):
    """A single row whose ``version`` goes up on every catalog change, so cached
    catalog snapshots in every process know when they are stale."""

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"catalog version {self.version}"

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        updated = cls.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"version": 1})


class ImportRun(models.Model):
    """One run of a price import (e.g. LiteLLM's price map), kept for the back office."""

    source = models.CharField(max_length=500)
    started_at = models.DateTimeField(auto_now_add=True)
    dry_run = models.BooleanField(default=False)
    succeeded = models.BooleanField(default=False)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    skipped_reasons = models.JSONField(default=dict, blank=True)
    discrepancies = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}"


class MeterBill(models.TextChoices):
    AZURE = "azure", "Azure cost details (MeterName)"
    AWS = "aws", "AWS CUR (usage type)"
    GCP = "gcp", "Google Cloud billing export (SKU description)"


class MeterTokenKind(models.TextChoices):
    INPUT = "input", "Input (uncached)"
    CACHE_READ = "cache_read", "Cache read"
    CACHE_WRITE = "cache_write", "Cache write"
    OUTPUT = "output", "Output"
    NOT_TOKENS = "not_tokens", "Not billed per token (skipped)"


class MeterRule(models.Model):
    """Which model, token kind, batch flag and unit a cloud-bill meter stands for.

    Cloud bills name LLM usage by meter (Azure ``MeterName``), usage type (AWS) or SKU
    (Google), spelled differently for every model generation: a new spelling is fixed here,
    not in code. The usage readers get these rows as plain data
    (``providers.meters.meter_rules()``).
    """

    bill = models.CharField(max_length=10, choices=MeterBill.choices)
    pattern = models.CharField(
        max_length=300,
        help_text="Regular expression for the whole meter text, case-insensitive, e.g. "
        r"<code>gpt[- ]4o[- ]0806[- ]inp[- ]glbl( tokens)?</code>.",
    )
    model = models.ForeignKey(
        LLMModel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meter_rules",
        help_text=_("Empty = the token kind only: the usage keeps its meter text (or the model the "
        "bill names) as the id to identify on the dashboard."),
    )
    token_kind = models.CharField(max_length=12, choices=MeterTokenKind.choices)
    batch = models.BooleanField(default=False, help_text=_("Usage billed at batch prices."))
    tokens_per_unit = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("Tokens per unit of the bill's quantity, used when the bill does not state "
        "the unit (e.g. 1000000 for AWS Marketplace amounts)."),
    )
    priority = models.PositiveSmallIntegerField(
        default=100, help_text=_("Lower is tried first (rules with a model before kind-only rules).")
    )
    source = models.TextField(blank=True, help_text=_("Where the spelling was seen."))
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bill", "priority", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "pattern"], name="meter_rule_unique_pattern"),
            models.CheckConstraint(
                condition=Q(tokens_per_unit__isnull=True) | Q(tokens_per_unit__gt=0),
                name="meter_rule_tokens_per_unit_positive",
            ),
            models.CheckConstraint(
                condition=~Q(token_kind="not_tokens") | Q(model__isnull=True),
                name="meter_rule_not_tokens_without_model",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_bill_display()}: {self.pattern}"

    def clean(self) -> None:
        from dashboard.engine.usage.meters import compile_pattern

        errors: dict[str, str] = {}
        try:
            compile_pattern(self.pattern or "")
        except ValueError as exc:
            message = exc.args[0] if exc.args else ""
            errors["pattern"] = message.word(gettext) if isinstance(message, Worded) else str(exc)
        if self.token_kind == MeterTokenKind.NOT_TOKENS and self.model_id:
            errors["model"] = _("A meter that is not billed per token has no model.")
        if self.tokens_per_unit is not None and self.tokens_per_unit <= 0:
            errors["tokens_per_unit"] = _("Tokens per unit must be greater than 0.")
        if errors:
            raise ValidationError(errors)
