"""Names of the usage formats in the user's language.

The readers name each format in English (`engine.usage.FORMATS`, stored on a profile as its
`format_label`); the same labels are spelled out here for translation, keyed by the English
label (a test checks every format has its entry). Product and file names stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboard.engine.text import Worded

LABELS: Mapping[str, Any] = {
    "OpenAI Activity export (completions_usage_*.csv)": _("OpenAI Activity export (completions_usage_*.csv)"),
    "OpenAI Cost export (cost_*.csv)": _("OpenAI Cost export (cost_*.csv)"),
    "OpenAI legacy Activity export (n_context_tokens_total, also Groq)": _(
        "OpenAI legacy Activity export (n_context_tokens_total, also Groq)"
    ),
    "Anthropic Console token export (claude_api_tokens_*.csv)": _("Anthropic Console token export (claude_api_tokens_*.csv)"),
    "Anthropic Console cost export (claude_api_cost_*.csv)": _("Anthropic Console cost export (claude_api_cost_*.csv)"),
    "OpenRouter activity export, one row per generation": _("OpenRouter activity export, one row per generation"),
    "OpenRouter Activity export, one row per day and model": _("OpenRouter Activity export, one row per day and model"),
    "LiteLLM proxy LiteLLM_SpendLogs table": _("LiteLLM proxy LiteLLM_SpendLogs table"),
    "LiteLLM dashboard usage export (Spend ($))": _("LiteLLM dashboard usage export (Spend ($))"),
    "Helicone request export": _("Helicone request export"),
    "Azure Cost Management cost details (EA, MCA, pay-as-you-go, Azure China)": _(
        "Azure Cost Management cost details (EA, MCA, pay-as-you-go, Azure China)"
    ),
    "AWS Cost and Usage Report (CUR 2.0 or legacy), Amazon Bedrock lines": _(
        "AWS Cost and Usage Report (CUR 2.0 or legacy), Amazon Bedrock lines"
    ),
    "Google Cloud Billing export (CSV of the BigQuery export), Vertex AI / Gemini lines": _(
        "Google Cloud Billing export (CSV of the BigQuery export), Vertex AI / Gemini lines"
    ),
    "FOCUS 1.x cost and usage file (Azure, AWS, Google, LiteLLM)": _("FOCUS 1.x cost and usage file (Azure, AWS, Google, LiteLLM)"),
    "Langfuse observations export (UI batch export or blob storage)": _(
        "Langfuse observations export (UI batch export or blob storage)"
    ),
    "Generic usage CSV (date, model, input_tokens, output_tokens)": _(
        "Generic usage CSV (date, model, input_tokens, output_tokens)"
    ),
    "Typed-in estimate (monthly tokens)": _("Typed-in estimate (monthly tokens)"),
}


def word_format(label: str) -> str:
    """A format's label in the active language (an unknown label as it is)."""
    return str(LABELS.get(label, label))


# Why rows were skipped, and the readers' fixed warnings (report.skipped keys, report.warnings).
REPORT_TEXT: Mapping[str, Any] = {
    "empty row": _("empty row"),
    "empty bucket": _("empty bucket"),
    "failed request": _("failed request"),
    "cancelled generation": _("cancelled generation"),
    "row without line item": _("row without line item"),
    "non-model line item": _("non-model line item"),
    "correction line": _("correction line"),
    "not a usage charge (purchase, refund, tax, credit...)": _("not a usage charge (purchase, refund, tax, credit...)"),
    "not an LLM service (compute, storage, network, support...)": _(
        "not an LLM service (compute, storage, network, support...)"
    ),
    "zero-cost Marketplace line without a resource (duplicate of a billed line)": _(
        "zero-cost Marketplace line without a resource (duplicate of a billed line)"
    ),
    "cost-only export: tokens unknown, only billed cost is available": _(
        "cost-only export: tokens unknown, only billed cost is available"
    ),
    "the file is not UTF-8; it was read as Chinese GB18030/GBK text": _(
        "the file is not UTF-8; it was read as Chinese GB18030/GBK text"
    ),
    "not a generation (span, event...)": _("not a generation (span, event...)"),
    "generation without a model": _("generation without a model"),
    "meter not billed per token (hours, requests, storage...)": _(
        "meter not billed per token (hours, requests, storage...)"
    ),
    "token meter not in the meter table": _("token meter not in the meter table"),
    "token meter without a unit": _("token meter without a unit"),
    "billed per character (no documented tokens-per-character ratio)": _(
        "billed per character (no documented tokens-per-character ratio)"
    ),
    "negative quantity (correction)": _("negative quantity (correction)"),
}


def word_report_text(text: str) -> str:
    """A skip reason or reader warning in the active language.

    A warning the reader wrote from a template (`Worded`, also read back from a stored
    profile's report) is worded from its template and parameters; a plain string (a skip
    reason, a fixed warning, a warning of a profile stored before warnings kept their
    templates) is looked up as it is, and shown in English when the catalogue lacks it.
    """
    if isinstance(text, Worded):
        return text.word(gettext)
    if text in REPORT_TEXT:
        return str(REPORT_TEXT[text])
    return gettext(text) if text else text
