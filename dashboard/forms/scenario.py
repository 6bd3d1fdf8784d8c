"""The Scenario form: every what-if parameter as a GET parameter, so every view is a URL.

Defaults and bounds come from `dashboard.engine.scenario` (DEFAULTS, BOUNDS): this form and
the JSON API never restate them.

Parameter names (also used by the JSON API):
``switch`` (YYYY-MM-DD), ``horizon`` (months), ``growth`` (% per month), ``currency``
(USD/CNY), ``fx`` (CNY per USD override), ``elig`` (repeatable: new_customers,
openai_migrants, verified_accounts; ``none`` = no eligibility), ``baseline`` (complete months
averaged), ``provider`` (repeatable provider slug; none = all priced providers),
``unverified`` (1 to include unverified prices and offers), ``prompt`` (typical prompt
tokens), ``map`` (repeatable ``<source model>::<target>``: use that model on its provider),
``identify`` (repeatable ``<source model>::<target>``: treat an exported id the catalog does
not know as that model), ``billed`` (``auto``, ``1``, ``0``: price the current provider at its
bill's effective rates). A target is the id ``/api/catalog/models`` lists,
``<provider>/<model_id>`` (e.g. ``alibaba/qwen-plus``), or a catalog model key.

Any scenario parameter in the URL is honoured, so a hand-written or shared link shows what it
says; a parameter left out takes its default. ``s=1`` only marks a submitted form: then an
unchecked box is "off" (no ``elig`` means no eligibility) rather than "default".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dashboard.engine.catalog_types import CURRENCIES, CURRENCY_SYMBOLS, Catalog
from dashboard.engine.scenario import (
    BOUNDS,
    DEFAULTS,
    ELIGIBILITY_CHOICES,
    NO_ELIGIBILITY,
    OPENAI_CUTOFF,
    Scenario,
    ScenarioError,
)
from dashboard.engine.text import Worded
from dashboard.local_names import provider_name
from dashboard.process_memo import ProcessMemo

ELIGIBILITY_WORDING = {
    "openai_migrants": _("We are moving from OpenAI"),
    "new_customers": _("We are a new customer"),
    "verified_accounts": _("Our account is verified"),
}
BILLED_CHOICES = [
    ("auto", _("list prices, or your bill's rates when there is no list price")),
    ("1", _("your bill's rates")),
    ("0", _("list prices")),
]
BILLED_VALUES = {"auto": None, "": None, "1": True, "0": False}
PAIR_SEPARATOR = "::"
SUBMITTED = "s"
# Form field -> Scenario field, for defaults and for putting engine errors on the right field.
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
SCENARIO_PARAMETERS = frozenset(FIELD_FOR.values()) | {"identify", SUBMITTED}


def _default(form_field: str) -> Any:
    scenario_field = next(k for k, v in FIELD_FOR.items() if v == form_field)
    return DEFAULTS[scenario_field]


def default_eligibility() -> list[str]:
    return sorted(DEFAULTS["eligibility"])


class EligibilityField(forms.MultipleChoiceField):
    """Checkboxes of eligibility answers; the value ``none`` stands for "none of them"."""

    def valid_value(self, value: str) -> bool:
        return value == NO_ELIGIBILITY or super().valid_value(value)

    def clean(self, value: Any) -> list[str]:
        values = super().clean(value)
        return [] if NO_ELIGIBILITY in values else values


class PairsField(forms.Field):
    """Repeatable ``<source model>::<target>`` values; `ScenarioForm.clean` resolves targets."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> tuple[tuple[str, str], ...]:
        pairs = []
        for item in value or []:
            if not item:
                continue
            source, sep, target = str(item).rpartition(PAIR_SEPARATOR)
            if not sep or not source.strip() or not target.strip():
                raise forms.ValidationError(
                    _("%(item)s is not '<source model>%(separator)s<provider>/<model id>'.")
                    % {"item": repr(item), "separator": PAIR_SEPARATOR}
                )
            pairs.append((source.strip(), target.strip()))
        return tuple(pairs)


def resolve_target(catalog: Catalog, target: str) -> int | None:
    """The catalog key of ``provider/model_id`` (as the catalog API lists it) or of a key."""
    if target.isdigit():
        key = int(target)
        return key if key in catalog.models else None
    provider, sep, model_id = target.partition("/")
    if not sep:
        return None
    index = catalog.provider_model_index.get(provider.strip().lower(), {})
    return index.get(model_id.strip().lower())


def model_target(catalog: Catalog, key: int) -> str:
    """The ``provider/model_id`` of a catalog model: what map/identify links carry."""
    model = catalog.models[key]
    return f"{model.provider}/{model.model_id}"


def _bounded(name: str) -> dict[str, Any]:
    low, high = BOUNDS[name]
    return {"min_value": low, "max_value": high}


_choices_memo: ProcessMemo[tuple[Catalog, list[tuple[str, str]]]] = ProcessMemo(8)


def provider_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """Every catalog provider as (slug, name in the page's language), by name; worked out once
    per catalog snapshot and language (every dashboard request builds the form)."""
    key = (id(catalog), get_language())
    kept = _choices_memo.get(key)
    if kept is not None and kept[0] is catalog:
        return list(kept[1])
    choices = sorted(
        ((slug, provider_name(slug, info.name)) for slug, info in catalog.providers.items()),
        key=lambda c: c[1].lower(),
    )
    _choices_memo.put(key, (catalog, choices))
    return list(choices)


class ScenarioForm(forms.Form):
    s = forms.CharField(required=False, widget=forms.HiddenInput, initial="1")
    switch = forms.DateField(
        label=_("Switch date"), required=False,
        widget=forms.DateInput(attrs={
            "type": "date", "min": BOUNDS["switch_date"][0].isoformat(),
            "max": BOUNDS["switch_date"][1].isoformat(),
        }),
        validators=[MinValueValidator(BOUNDS["switch_date"][0]), MaxValueValidator(BOUNDS["switch_date"][1])],
        help_text=_("Offers are claimed on this day; the projection starts here."),
    )
    horizon = forms.IntegerField(
        label=_("Horizon (months)"), required=False, initial=_default("horizon"),
        **_bounded("horizon_months"),
    )
    growth = forms.FloatField(
        label=_("Growth (% per month)"), required=False, initial=_default("growth"),
        **_bounded("growth_pct"),
    )
    currency = forms.ChoiceField(
        label=_("Display currency"), required=False, initial=_default("currency"),
        choices=[(c, f"{c} ({CURRENCY_SYMBOLS.get(c, c)})") for c in CURRENCIES],
    )
    fx = forms.FloatField(
        label=_("CNY per USD (override)"), required=False, **_bounded("fx_override"),
        widget=forms.NumberInput(attrs={"step": "0.0001", "placeholder": _("latest known")}),
    )
    elig = EligibilityField(
        label=_("Eligibility"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(code, ELIGIBILITY_WORDING.get(code, code)) for code in ELIGIBILITY_CHOICES],
    )
    baseline = forms.IntegerField(
        label=_("Baseline (last N complete months)"), required=False, initial=_default("baseline"),
        **_bounded("baseline_months"),
    )
    provider = forms.MultipleChoiceField(
        label=_("Compare providers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    unverified = forms.BooleanField(label=_("Include unverified prices and offers"), required=False)
    prompt = forms.IntegerField(
        label=_("Typical prompt (tokens)"), required=False, **_bounded("typical_prompt_tokens"),
        widget=forms.NumberInput(attrs={"placeholder": _("from your usage")}),
    )
    billed = forms.ChoiceField(
        label=_("Price your current provider at"), choices=BILLED_CHOICES, required=False,
        initial="auto",
        help_text=_(
            "Your bill's effective unit prices (mean of the baseline months) instead of "
            "list prices: for Azure China or a discounted contract."
        ),
    )
    map = PairsField()
    identify = PairsField()

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        catalog: Catalog,
        source_models: list[str],
        today: dt.date | None = None,
        default_currency: str | None = None,
    ) -> None:
        self.catalog = catalog
        # The display currency when the URL names none (CNY for a Chinese page; the API: USD).
        self.default_currency = default_currency or DEFAULTS["display_currency"]
        self.today = today or timezone.localdate()
        self.source_models = source_models
        bound = data is not None and any(name in data for name in SCENARIO_PARAMETERS)
        if bound:
            data = self._with_defaults(data)
        super().__init__(
            data if bound else None,
            initial={"switch": self.today, "elig": default_eligibility(), "currency": self.default_currency},
        )
        self.fields["provider"].choices = provider_choices(catalog)
        self.submitted = bound and bool(data.get(SUBMITTED))

    def _with_defaults(self, data: QueryDict) -> QueryDict:
        """A link may carry only the parameters that differ from the defaults."""
        data = data.copy()
        for name in ("horizon", "growth", "currency", "baseline"):
            if not data.get(name):
                data[name] = self.default_currency if name == "currency" else str(_default(name))
        if not data.get("switch"):
            data["switch"] = self.today.isoformat()
        if not data.get(SUBMITTED) and "elig" not in data:
            # Without s=1 a missing box means "default", not "unchecked".
            data.setlist("elig", default_eligibility())
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("map", "identify"):
            resolved = []
            for source, target in data.get(name) or ():
                key = resolve_target(self.catalog, target)
                if key is None:
                    self.add_error(
                        name,
                        _(
                            "%(target)s (for %(source)s) is not a model of the catalog; use "
                            "'<provider>/<model id>' as /api/catalog/models lists it."
                        )
                        % {"target": repr(target), "source": source},
                    )
                    break
                resolved.append((source, key))
            data[name] = tuple(resolved)
        return data

    def to_scenario(self) -> Scenario:
        """The validated Scenario; adds engine-level errors to the form and raises ScenarioError."""
        if self.is_bound and not self.is_valid():
            raise ScenarioError({name: " ".join(messages) for name, messages in self.errors.items()})
        data = self.cleaned_data if self.is_bound else {}
        overrides = tuple(
            (source, self.catalog.models[key].provider, key) for source, key in data.get("map", ())
        )
        eligibility = data.get("elig") if self.is_bound else default_eligibility()
        scenario = Scenario(
            switch_date=data.get("switch") or self.today,
            horizon_months=data.get("horizon") or DEFAULTS["horizon_months"],
            growth_pct=float(data.get("growth") or DEFAULTS["growth_pct"]),
            display_currency=data.get("currency") or self.default_currency,
            fx_override=data.get("fx"),
            eligibility=frozenset(eligibility or ()),
            baseline_months=data.get("baseline") or DEFAULTS["baseline_months"],
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
                    # the engine words its messages in English: here in the page's language
                    worded = message.word(gettext) if isinstance(message, Worded) else message
                    self.add_error(field if field in self.fields else None, worded)
            raise

    def overrides(self) -> dict[str, int]:
        """Source model -> chosen catalog model key, from `map`."""
        if not self.is_bound or not self.is_valid():
            return {}
        return dict(self.cleaned_data.get("map", ()))

    def identifications(self) -> dict[str, int]:
        if not self.is_bound or not self.is_valid():
            return {}
        return dict(self.cleaned_data.get("identify", ()))

    def selected_providers(self) -> list[str]:
        if not self.is_bound or not self.is_valid():
            return []
        return list(self.cleaned_data.get("provider") or [])


def preset_query(params: QueryDict, switch: dt.date, eligibility: list[str]) -> str:
    """The current parameters with only the switch date and eligibility replaced: a preset
    keeps the user's currency, growth, horizon, models and providers."""
    query = params.copy()
    query.pop("page", None)
    query[SUBMITTED] = "1"
    query["switch"] = switch.isoformat()
    query.setlist("elig", eligibility)
    return query.urlencode()


PRESET_JULY_2024 = {"switch": OPENAI_CUTOFF, "elig": default_eligibility()}
