"""What-if parameters of a projection, and their validation against a catalog."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from .catalog_types import CURRENCIES, ELIGIBILITY_LABELS, Catalog

OPENAI_CUTOFF = dt.date(2024, 7, 9)


class ScenarioError(ValueError):
    """Invalid scenario; `errors` maps a field name to a user-facing message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Scenario:
    switch_date: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    horizon_months: int = 12
    growth_pct: float = 0.0  # monthly
    display_currency: str = "USD"
    fx_override: float | None = None  # CNY per USD
    eligibility: frozenset[str] = frozenset()
    baseline_months: int = 3
    providers: tuple[str, ...] = ()  # empty = every provider with a price
    include_unverified: bool = False
    typical_prompt_tokens: int | None = None  # None = the profile's input tokens per request
    # (exported source model id, candidate provider slug, target model key)
    mapping_overrides: tuple[tuple[str, str, int], ...] = ()
    # price the current provider at its bill's effective rates: None = automatic (on when the
    # current usage has no list price and the export carries billed cost per token kind)
    billed_rates: bool | None = None

    def override_for(self, source_model: str, provider: str) -> int | None:
        wanted = source_model.strip().lower()
        for source, slug, target in self.mapping_overrides:
            if slug == provider and source.strip().lower() == wanted:
                return target
        return None

    def validate(self, catalog: Catalog) -> Scenario:
        """Return self, or raise ScenarioError with one message per bad field."""
        errors: dict[str, str] = {}
        if not 1 <= self.horizon_months <= 60:
            errors["horizon_months"] = "The horizon must be between 1 and 60 months."
        if not -50 <= self.growth_pct <= 500:
            errors["growth_pct"] = "Monthly growth must be between -50% and 500%."
        if self.display_currency not in CURRENCIES:
            errors["display_currency"] = (
                f"Unknown currency {self.display_currency!r}; choose one of {', '.join(CURRENCIES)}."
            )
        if self.fx_override is not None and not self.fx_override > 0:
            errors["fx_override"] = "The exchange rate must be greater than 0 (CNY per USD)."
        unknown_eligibility = sorted(self.eligibility - set(ELIGIBILITY_LABELS))
        if unknown_eligibility:
            errors["eligibility"] = f"Unknown eligibility: {', '.join(unknown_eligibility)}."
        if not 1 <= self.baseline_months <= 24:
            errors["baseline_months"] = "The baseline window must be between 1 and 24 months."
        unknown = [p for p in self.providers if p not in catalog.providers]
        if unknown:
            errors["providers"] = f"Unknown provider: {', '.join(unknown)}."
        if self.typical_prompt_tokens is not None and self.typical_prompt_tokens < 0:
            errors["typical_prompt_tokens"] = "The typical prompt size cannot be negative."
        override_errors = []
        for source, slug, target in self.mapping_overrides:
            model = catalog.models.get(target)
            if slug not in catalog.providers:
                override_errors.append(f"{source}: unknown provider {slug!r}.")
            elif model is None:
                override_errors.append(f"{source}: unknown target model {target}.")
            elif model.provider != slug:
                override_errors.append(
                    f"{source}: {model.model_id} belongs to {model.provider}, not {slug} "
                    "(mapping to a model of another provider)."
                )
        if override_errors:
            errors["mapping_overrides"] = " ".join(override_errors)
        if errors:
            raise ScenarioError(errors)
        return self

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["switch_date"] = self.switch_date.isoformat()
        data["eligibility"] = sorted(self.eligibility)
        data["providers"] = list(self.providers)
        data["mapping_overrides"] = [list(o) for o in self.mapping_overrides]
        return data
