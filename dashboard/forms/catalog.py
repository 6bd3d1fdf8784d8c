"""GET forms for the catalog pages (every filter is part of a shareable URL)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from providers.models import Currency, Region, Tier

SORT_CHOICES = [
    ("provider", _("Provider")),
    ("model", _("Model")),
    ("tier", _("Tier")),
    ("input", _("Input price ↑")),
    ("-input", _("Input price ↓")),
    ("output", _("Output price ↑")),
    ("-output", _("Output price ↓")),
]


class CatalogFilterForm(forms.Form):
    currency = forms.ChoiceField(choices=Currency.choices, required=False, initial=Currency.USD)
    provider = forms.ChoiceField(required=False)
    region = forms.ChoiceField(choices=[("", _("All regions")), *Region.choices], required=False)
    tier = forms.ChoiceField(choices=[("", _("All tiers")), *Tier.choices], required=False)
    q = forms.CharField(
        required=False,
        max_length=100,
        label=pgettext_lazy("form label", "Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "qwen, 混元, deepseek chat…"}),
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, initial="provider")
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, providers: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All providers")), *providers]

    def value(self, name: str) -> object:
        """The cleaned value, or the field's initial when empty/invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        value = data.get(name)
        return value if value not in (None, "") else (self.fields[name].initial or "")


class OfferFilterForm(forms.Form):
    provider = forms.ChoiceField(required=False)
    active_on = forms.DateField(required=False, label=_("Active on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, providers: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All providers")), *providers]


class ProviderPageForm(forms.Form):
    """The provider page's GET options: the currency its price-history chart is drawn in."""

    currency = forms.ChoiceField(choices=Currency.choices, required=False)
