"""The Scenario form: every what-if parameter as a GET parameter, so every view is a URL.

Parameter names (also used by the JSON API):
``switch`` (YYYY-MM-DD), ``horizon`` (months, 1-60), ``growth`` (% per month), ``currency``
(USD/CNY), ``fx`` (CNY per USD override), ``elig`` (repeatable: new_customers,
openai_migrants, verified_accounts), ``baseline`` (complete months averaged, 1-24),
``provider`` (repeatable provider slug; none = all priced providers), ``unverified`` (1 to
include unverified prices and offers), ``prompt`` (typical prompt tokens), ``map``
(repeatable ``<source model>::<catalog model key>``: use that model on its provider),
``identify`` (repeatable ``<source model>::<catalog model key>``: treat an exported id the
catalog does not know as that model), ``billed`` (``auto``, ``1``, ``0``: price the current
provider at its bill's effective rates). ``s=1`` marks a submitted form, so unchecked boxes
are told apart from a first visit (which gets the defaults).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from dashboard.engine.catalog_types import Catalog
from dashboard.engine.scenario import OPENAI_CUTOFF, Scenario, ScenarioError

ELIGIBILITY_CHOICES = [
    ("openai_migrants", "We are moving from OpenAI"),
    ("new_customers", "We are a new customer"),
    ("verified_accounts", "Our account is verified"),
]
DEFAULT_ELIGIBILITY = ["openai_migrants", "new_customers"]
CURRENCY_CHOICES = [("USD", "USD ($)"), ("CNY", "CNY (¥)")]
BILLED_CHOICES = [
    ("auto", "list prices, or your bill's rates when there is no list price"),
    ("1", "your bill's rates"),
    ("0", "list prices"),
]
BILLED_VALUES = {"auto": None, "": None, "1": True, "0": False}
PAIR_SEPARATOR = "::"
SUBMITTED_DEFAULTS = {"horizon": "12", "growth": "0", "currency": "USD", "baseline": "3"}


class PairsField(forms.Field):
    """Repeatable ``<source model>::<catalog model key>`` values."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> tuple[tuple[str, int], ...]:
        pairs = []
        for item in value or []:
            if not item:
                continue
            source, sep, key = str(item).rpartition(PAIR_SEPARATOR)
            if not sep or not source.strip():
                raise forms.ValidationError(f"{item!r} is not '<source model>{PAIR_SEPARATOR}<model key>'.")
            try:
                pairs.append((source.strip(), int(key)))
            except ValueError:
                raise forms.ValidationError(f"{key!r} is not a catalog model key.") from None
        return tuple(pairs)


class ScenarioForm(forms.Form):
    s = forms.CharField(required=False, widget=forms.HiddenInput, initial="1")
    switch = forms.DateField(
        label="Switch date", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Offers are claimed on this day; the projection starts here.",
    )
    horizon = forms.IntegerField(label="Horizon (months)", min_value=1, max_value=60, required=False, initial=12)
    growth = forms.FloatField(label="Growth (% per month)", min_value=-50, max_value=500, required=False, initial=0)
    currency = forms.ChoiceField(label="Display currency", choices=CURRENCY_CHOICES, required=False, initial="USD")
    fx = forms.FloatField(
        label="CNY per USD (override)", required=False, min_value=0.000001,
        widget=forms.NumberInput(attrs={"step": "0.0001", "placeholder": "latest known"}),
    )
    elig = forms.MultipleChoiceField(
        label="Eligibility", choices=ELIGIBILITY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    baseline = forms.IntegerField(label="Baseline (last N complete months)", min_value=1, max_value=24, required=False, initial=3)
    provider = forms.MultipleChoiceField(label="Compare providers", required=False, widget=forms.CheckboxSelectMultiple)
    unverified = forms.BooleanField(label="Include unverified prices and offers", required=False)
    prompt = forms.IntegerField(
        label="Typical prompt (tokens)", min_value=0, max_value=10_000_000, required=False,
        widget=forms.NumberInput(attrs={"placeholder": "from your usage"}),
    )
    billed = forms.ChoiceField(
        label="Price your current provider at", choices=BILLED_CHOICES, required=False,
        initial="auto",
        help_text="Your bill's effective unit prices (mean of the baseline months) instead of "
        "list prices: for Azure China or a discounted contract.",
    )
    map = PairsField()
    identify = PairsField()

    def __init__(self, data=None, *, catalog: Catalog, source_models: list[str], today: dt.date | None = None):
        self.catalog = catalog
        self.today = today or timezone.localdate()
        self.source_models = source_models
        submitted = data is not None and bool(data.get("s"))
        if submitted:
            # A shared link may carry only the parameters that differ from the defaults.
            data = data.copy()
            for name, default in SUBMITTED_DEFAULTS.items():
                if not data.get(name):
                    data[name] = default
            if not data.get("switch"):
                data["switch"] = self.today.isoformat()
        super().__init__(data if submitted else None, initial={"switch": self.today, "elig": DEFAULT_ELIGIBILITY})
        self.fields["provider"].choices = sorted(
            ((slug, info.name) for slug, info in catalog.providers.items()), key=lambda c: c[1].lower()
        )
        self.submitted = submitted

    def clean(self) -> dict:
        data = super().clean()
        for name in ("map", "identify"):
            unknown = [key for _, key in data.get(name) or () if key not in self.catalog.models]
            if unknown:
                self.add_error(name, f"Model key {unknown[0]} is not in the catalog.")
        return data

    def value(self, name: str):
        if self.is_bound and hasattr(self, "cleaned_data") and self.cleaned_data.get(name) not in (None, ""):
            return self.cleaned_data[name]
        initial = self.initial.get(name, self.fields[name].initial)
        return initial

    def to_scenario(self) -> Scenario:
        """The validated Scenario; adds engine-level errors to the form and raises ScenarioError."""
        if self.is_bound and not self.is_valid():
            raise ScenarioError({name: " ".join(messages) for name, messages in self.errors.items()})
        data = self.cleaned_data if self.is_bound else {}
        overrides = tuple(
            (source, self.catalog.models[key].provider, key) for source, key in data.get("map", ())
        )
        scenario = Scenario(
            switch_date=data.get("switch") or self.today,
            horizon_months=data.get("horizon") or 12,
            growth_pct=float(data.get("growth") or 0.0),
            display_currency=data.get("currency") or "USD",
            fx_override=data.get("fx"),
            eligibility=frozenset(data.get("elig", DEFAULT_ELIGIBILITY) if self.is_bound else DEFAULT_ELIGIBILITY),
            baseline_months=data.get("baseline") or 3,
            providers=tuple(data.get("provider") or ()),
            include_unverified=bool(data.get("unverified")),
            typical_prompt_tokens=data.get("prompt"),
            mapping_overrides=overrides,
            billed_rates=BILLED_VALUES[data.get("billed") or "auto"],
        )
        try:
            return scenario.validate(self.catalog)
        except ScenarioError as error:
            for name, message in error.errors.items():
                field = FIELD_FOR.get(name)
                if self.is_bound:
                    self.add_error(field if field in self.fields else None, message)
            raise

    def identifications(self) -> dict[str, int]:
        if not self.is_bound or not self.is_valid():
            return {}
        return dict(self.cleaned_data.get("identify", ()))


FIELD_FOR = {
    "switch_date": "switch",
    "horizon_months": "horizon",
    "growth_pct": "growth",
    "display_currency": "currency",
    "fx_override": "fx",
    "eligibility": "elig",
    "baseline_months": "baseline",
    "providers": "provider",
    "include_unverified": "unverified",
    "typical_prompt_tokens": "prompt",
    "mapping_overrides": "map",
    "billed_rates": "billed",
}

PRESET_JULY_2024 = {"switch": OPENAI_CUTOFF.isoformat(), "elig": DEFAULT_ELIGIBILITY}
