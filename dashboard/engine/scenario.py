"""What-if parameters of a projection, their defaults and bounds, and their validation.

This module is the single home of every default and bound: the web form and the JSON API
derive theirs from `DEFAULTS` and `BOUNDS` (never restate them).

Horizon: N months run from the switch date to the day before the same date N months later
(`horizon_end`); a day-of-month the later month lacks is clamped to its last day (Jan 31 + 1
month -> Feb 28/29). The first and last calendar months are partial unless the switch date is
the 1st.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from types import MappingProxyType

from .catalog_types import CURRENCIES, ELIGIBILITY_LABELS, Catalog
from .text import Joined, Worded, gettext_noop

OPENAI_CUTOFF = dt.date(2024, 7, 9)
# Who the product assumes a visitor is until told otherwise: a team moving from OpenAI to a
# provider it is new to. "everyone" offers always apply and are not listed.
DEFAULT_ELIGIBILITY = frozenset({"openai_migrants", "new_customers"})
ELIGIBILITY_CHOICES = tuple(code for code in ELIGIBILITY_LABELS if code != "everyone")
NO_ELIGIBILITY = "none"  # the `elig` value meaning "no eligibility at all"

# (minimum, maximum) of each bounded field, inclusive. Switch dates stay well inside the
# range every date computation handles (a horizon of 60 months after 2100-12-31 is fine; year
# 10000 is not); the exchange rate stays within what a CNY/USD rate could ever be.
BOUNDS = MappingProxyType(
    {
        "switch_date": (dt.date(2015, 1, 1), dt.date(2100, 12, 31)),
        "horizon_months": (1, 60),
        "growth_pct": (-50.0, 500.0),
        "fx_override": (0.01, 1000.0),
        "baseline_months": (1, 24),
        "typical_prompt_tokens": (0, 10_000_000),
    }
)
BOUND_MESSAGES = MappingProxyType(
    {
        "switch_date": gettext_noop("The switch date must be between {low} and {high}."),
        "horizon_months": gettext_noop("The horizon must be between {low} and {high} months."),
        "growth_pct": gettext_noop("Monthly growth must be between {low:g}% and {high:g}%."),
        "fx_override": gettext_noop(
            "The exchange rate must be between {low:g} and {high:g} CNY per USD."
        ),
        "baseline_months": gettext_noop(
            "The baseline window must be between {low} and {high} months."
        ),
        "typical_prompt_tokens": gettext_noop(
            "The typical prompt size must be between {low:,} and {high:,} tokens."
        ),
    }
)
# Repeatable parameters (providers, model overrides) take at most this many values.
MAX_REPEATED = 200


def add_months_clamped(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ScenarioError(ValueError):
    """Invalid scenario; `errors` maps a field name to a user-facing message (in English; the
    engine's own messages are `Worded`, so the web form can word them in the page's language)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def today() -> dt.date:
    """Today in UTC: the default switch date, and the day after which no exchange rate can
    be known yet."""
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Scenario:
    switch_date: dt.date = field(default_factory=today)
    horizon_months: int = 12
    growth_pct: float = 0.0  # monthly
    display_currency: str = "USD"
    fx_override: float | None = None  # CNY per USD
    eligibility: frozenset[str] = DEFAULT_ELIGIBILITY
    baseline_months: int = 3
    providers: tuple[str, ...] = ()  # empty = every provider with a price
    include_unverified: bool = False
    typical_prompt_tokens: int | None = None  # None = from the profile's usage
    # (exported source model id, candidate provider slug, target model key)
    mapping_overrides: tuple[tuple[str, str, int], ...] = ()
    # price the current provider at its bill's effective rates: None = automatic (on when the
    # current usage has no list price and the export carries billed cost per token kind)
    billed_rates: bool | None = None

    def __post_init__(self) -> None:
        # `provider=deepseek&provider=deepseek` compares DeepSeek once.
        object.__setattr__(self, "providers", tuple(dict.fromkeys(self.providers)))

    @property
    def horizon_end(self) -> dt.date:
        """Last day of the horizon (inclusive)."""
        return add_months_clamped(self.switch_date, self.horizon_months) - dt.timedelta(days=1)

    def override_for(self, source_model: str, provider: str) -> int | None:
        wanted = source_model.strip().lower()
        for source, slug, target in self.mapping_overrides:
            if slug == provider and source.strip().lower() == wanted:
                return target
        return None

    def validate(self, catalog: Catalog) -> Scenario:
        """Return self, or raise ScenarioError with one message per bad field."""
        errors = {**self._bound_errors(), **self._choice_errors(catalog)}
        override_errors = self._override_errors(catalog)
        if override_errors:
            errors["mapping_overrides"] = Joined(override_errors, separator=" ")
        if errors:
            raise ScenarioError(errors)
        return self

    def _bound_errors(self) -> dict[str, str]:
        errors = {}
        for name, message in BOUND_MESSAGES.items():
            value = getattr(self, name)
            low, high = BOUNDS[name]
            # `not low <= value <= high` is also true for NaN
            if value is not None and not low <= value <= high:
                errors[name] = Worded(message, low=low, high=high)
        if len(self.providers) > MAX_REPEATED or len(self.mapping_overrides) > MAX_REPEATED:
            errors["providers"] = Worded(
                gettext_noop("At most {count} providers and {count} mappings."), count=MAX_REPEATED
            )
        return errors

    def _choice_errors(self, catalog: Catalog) -> dict[str, str]:
        errors = {}
        if self.display_currency not in CURRENCIES:
            errors["display_currency"] = Worded(
                gettext_noop("Unknown currency {currency!r}; choose one of {choices}."),
                currency=self.display_currency,
                choices=", ".join(CURRENCIES),
            )
        unknown_eligibility = sorted(self.eligibility - set(ELIGIBILITY_LABELS))
        if unknown_eligibility:
            errors["eligibility"] = Worded(
                gettext_noop("Unknown eligibility: {values}."), values=", ".join(unknown_eligibility)
            )
        unknown = [p for p in self.providers if p not in catalog.providers]
        if unknown:
            errors["providers"] = Worded(
                gettext_noop("Unknown provider: {providers}."), providers=", ".join(unknown)
            )
        return errors

    def _override_errors(self, catalog: Catalog) -> list[Worded]:
        errors = []
        for source, slug, target in self.mapping_overrides:
            model = catalog.models.get(target)
            if slug not in catalog.providers:
                errors.append(
                    Worded(
                        gettext_noop("{source}: unknown provider {provider!r}."),
                        source=source,
                        provider=slug,
                    )
                )
            elif model is None:
                errors.append(
                    Worded(
                        gettext_noop("{source}: unknown target model {target}."),
                        source=source,
                        target=target,
                    )
                )
            elif model.provider != slug:
                errors.append(
                    Worded(
                        gettext_noop(
                            "{source}: {model} belongs to {owner}, not {provider} (mapping to a "
                            "model of another provider)."
                        ),
                        source=source,
                        model=model.model_id,
                        owner=model.provider,
                        provider=slug,
                    )
                )
        return errors

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["switch_date"] = self.switch_date.isoformat()
        data["horizon_end"] = self.horizon_end.isoformat()
        data["eligibility"] = sorted(self.eligibility)
        data["providers"] = list(self.providers)
        data["mapping_overrides"] = [list(o) for o in self.mapping_overrides]
        return data


def _field_default(name: str) -> object:
    spec = Scenario.__dataclass_fields__[name]
    return spec.default


# Defaults the form and the API show and fill in (the switch date defaults to "today").
DEFAULTS = MappingProxyType(
    {
        name: _field_default(name)
        for name in (
            "horizon_months",
            "growth_pct",
            "display_currency",
            "fx_override",
            "eligibility",
            "baseline_months",
            "providers",
            "include_unverified",
            "typical_prompt_tokens",
        )
    }
)
