"""The estimate form: a model and monthly token volumes instead of an uploaded export.

Field names (also the body of ``POST /api/estimates/``): ``model`` (``provider/model-id`` as
``/api/catalog/models`` lists it, or a model id or alias), ``input_tokens`` and
``output_tokens`` (per month), ``cache_read_pct`` (share of the input read from the prompt
cache, 0-100), ``batch_pct`` (share of the tokens sent through a batch API, 0-100),
``prompt`` (typical input tokens per request) and ``growth`` (% per month, passed on to the
projection). ``growth`` and ``prompt`` are the scenario form's own fields, bounds included.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dashboard.engine.catalog_types import Catalog
from dashboard.engine.estimate import DEFAULT_PROMPT_TOKENS, Estimate
from dashboard.engine.usage.columns import MAX_TOKENS
from dashboard.engine.usage.resolve import resolve_models
from dashboard.forms.scenario import ScenarioForm


def _share(label: object) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0,
        max_value=100,
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "placeholder": "0"}),
    )


THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?[kmb]?")


class TokenCountField(forms.IntegerField):
    """A token count as people write it: 120000000, 120,000,000, 120 000 000, 120M, 1.5B, 300k."""

    SUFFIXES = {"k": 10**3, "m": 10**6, "b": 10**9}
    default_error_messages = {"invalid": _("Enter a whole number of tokens, e.g. 120000000 or 120M.")}

    def to_python(self, value: object) -> int | None:
        text = str(value if value is not None else "").strip().lower()
        for separator in ("_", " ", "\u00a0"):
            text = text.replace(separator, "")
        if not text:
            return None
        if "," in text:
            # Only thousands separators: "12,5M" could mean 12.5M and is refused.
            if not THOUSANDS.fullmatch(text):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            text = text.replace(",", "")
        factor = self.SUFFIXES.get(text[-1], 1)
        number = text[:-1] if factor > 1 else text
        try:
            amount = Decimal(number)
            if amount.is_finite() and amount.adjusted() > 30:  # refuse before building a huge int
                raise forms.ValidationError(_("This number of tokens is far too large."), code="max_value")
            amount *= factor
            whole = amount.is_finite() and amount == amount.to_integral_value()
        except ArithmeticError:  # not a number at all (InvalidOperation) or out of range
            whole = False
        if not whole:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(amount)


def _tokens(label: object, example: str) -> TokenCountField:
    return TokenCountField(
        label=label,
        min_value=0,
        max_value=MAX_TOKENS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": format_lazy(_("e.g. {example}"), example=example)}),
    )


def find_model(catalog: Catalog, text: str) -> int | None:
    """The catalog key of ``provider/model-id``, a model id or an alias (None if unknown).

    A provider prefix is tried first so ``openrouter/openai/gpt-4o`` is OpenRouter's model;
    otherwise the id resolves as an export's id would (dated snapshots, gateway prefixes).
    """
    text = text.strip()
    slug, sep, rest = text.partition("/")
    index = catalog.provider_model_index.get(slug.lower()) if sep else None
    if index:
        found, _ = resolve_models([rest], index)
        if rest in found:
            return found[rest]
    found, _ = resolve_models([text], catalog.model_index)
    return found.get(text)


class EstimateForm(forms.Form):
    model = forms.CharField(
        label=_("Model you use today"),
        max_length=200,
        help_text=_("Type part of its id, name or provider, in English or Chinese (gpt-4o, qwen-plus, 混元)."),
        widget=forms.TextInput(attrs={"list": "estimate-models", "autocomplete": "off", "spellcheck": "false",
                                      "placeholder": format_lazy(_("e.g. {example}"), example="openai/gpt-4o")}),
    )  # fmt: skip
    input_tokens = _tokens(_("Input tokens per month"), "120M")
    output_tokens = _tokens(_("Output tokens per month"), "30M")
    cache_read_pct = _share(_("Input read from cache (%)"))
    batch_pct = _share(_("Sent through a batch API (%)"))
    prompt = copy.deepcopy(ScenarioForm.base_fields["prompt"])
    growth = copy.deepcopy(ScenarioForm.base_fields["growth"])

    def __init__(self, *args, catalog: Catalog | None = None, **kwargs) -> None:
        # Own ids: the home page holds this form beside the catalog filters.
        kwargs.setdefault("auto_id", "estimate_%s")
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        self.fields["prompt"].label = _("Typical prompt (tokens per request)")
        self.fields["prompt"].validators.append(MinValueValidator(1))
        self.fields["prompt"].widget.attrs.update(min=1, placeholder=f"{DEFAULT_PROMPT_TOKENS:,}")
        self.fields["growth"].label = _("Monthly growth (%), optional")
        self.fields["growth"].widget.attrs["placeholder"] = "0"

    def clean_model(self) -> int:
        text = self.cleaned_data["model"]
        if self.catalog is None:
            raise forms.ValidationError(_("The catalog is not available."))
        key = find_model(self.catalog, text)
        if key is None:
            raise forms.ValidationError(
                _("No catalog model is called %(name)s. Pick one from the list: type part of its id, name or provider.")
                % {"name": repr(text.strip())}
            )
        return key

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("input_tokens") and not data.get("output_tokens") and "input_tokens" not in self.errors:
            self.add_error("input_tokens", _("Enter the input or output tokens of a month (at least one above zero)."))
        return data

    def to_estimate(self) -> Estimate:
        """The validated estimate (call after ``is_valid()``)."""
        assert self.catalog is not None
        data = self.cleaned_data
        model = self.catalog.models[data["model"]]
        return Estimate(
            provider=model.provider,
            model_id=model.model_id,
            input_tokens=data["input_tokens"] or 0,
            output_tokens=data["output_tokens"] or 0,
            cache_read_pct=data.get("cache_read_pct") or 0.0,
            batch_pct=data.get("batch_pct") or 0.0,
            prompt_tokens=data.get("prompt") or DEFAULT_PROMPT_TOKENS,
        )


class ModelSuggestForm(forms.Form):
    """What the estimate's model field has typed so far (for the suggestion list)."""

    model = forms.CharField(required=False, max_length=100)
