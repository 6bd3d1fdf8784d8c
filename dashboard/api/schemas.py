"""The API contract: query parameters (validated by django-ninja) and the JSON bodies it
answers (documented in /api/openapi.json and checked against live answers by schemathesis).

Bounds come from the engine (`dashboard.engine.scenario.BOUNDS`) and the forms' choices;
nothing is restated here. Response schemas allow extra keys: a field added to an answer is
never a contract break.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, model_validator

from dashboard.engine.catalog_types import CURRENCIES
from dashboard.engine.scenario import BOUNDS, MAX_REPEATED
from dashboard.forms.catalog import SORT_CHOICES
from providers.models import Region, Tier

MAX_TEXT = 300  # a model id, a `map` pair, a search


def _bounds(name: str) -> dict[str, Any]:
    low, high = BOUNDS[name]
    return {"ge": low, "le": high}


class BlankIsMissing(BaseModel):
    """Query parameters where an empty value (`fx=` from a submitted form) means "left out"."""

    @model_validator(mode="before")
    @classmethod
    def _drop_blanks(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", [], [""])}
        return data


Text = Annotated[str, Field(max_length=MAX_TEXT)]
Repeated = Annotated[list[Text], Field(max_length=MAX_REPEATED)]


class ScenarioQuery(BlankIsMissing):
    """The dashboard's scenario parameters (see dashboard.forms.scenario for their meaning)."""

    switch: dt.date = Field(
        None, **_bounds("switch_date"), description="switch date (default today), 2015-01-01 to 2100-12-31"
    )
    horizon: int = Field(12, **_bounds("horizon_months"), description="months projected")
    growth: float = Field(0.0, **_bounds("growth_pct"), allow_inf_nan=False, description="% per month")
    currency: Literal[CURRENCIES] = Field("USD", description="display currency")  # type: ignore[valid-type]
    fx: float = Field(None, **_bounds("fx_override"), allow_inf_nan=False, description="CNY per USD")
    elig: Repeated = Field([], description="offer eligibility; `none` = none")
    baseline: int = Field(3, **_bounds("baseline_months"), description="complete months averaged")
    provider: Repeated = Field([], description="provider slugs compared; none = all")
    unverified: bool = Field(False, description="include unverified prices and offers")
    prompt: int = Field(None, **_bounds("typical_prompt_tokens"), description="typical prompt tokens")
    map: Repeated = Field([], description="`<source model>::<provider>/<model id>`")
    identify: Repeated = Field([], description="`<source model>::<provider>/<model id>`")
    billed: Literal["auto", "1", "0"] = Field("auto", description="price the current provider at the bill's rates")
    s: Literal["1", "0"] = Field(None, description="1 = a submitted form (no `elig` = none)")


class CatalogQuery(BlankIsMissing):
    currency: Literal[CURRENCIES] = "USD"  # type: ignore[valid-type]
    provider: Text = Field(None, description="provider slug")
    region: Literal[tuple(Region.values)] = None  # type: ignore[valid-type]
    tier: Literal[tuple(Tier.values)] = None  # type: ignore[valid-type]
    q: str = Field(None, max_length=100, description="search words")
    sort: Literal[tuple(value for value, _ in SORT_CHOICES)] = "provider"  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=1_000_000)


class OfferQuery(BlankIsMissing):
    provider: Text = Field(None, description="provider slug")
    active_on: dt.date = Field(None, **_bounds("switch_date"), description="2015-01-01 to 2100-12-31")


# --- answers --------------------------------------------------------------------------------


class Open(Schema):
    model_config = ConfigDict(extra="allow")


class Error(Open):
    """Every error but bad parameters: row/column locate a bad cell of an uploaded file."""

    error: str
    row: int | None = None
    column: str | None = None


class ParameterErrors(Open):
    error: Literal["Invalid parameters."]
    errors: dict[str, str]


class ModelTotals(Open):
    source_provider: str
    source_model: str
    requests: int
    tokens_input_uncached: int
    tokens_cache_read: int
    tokens_cache_write: int
    tokens_output: int
    reported_cost: float | None
    reported_currency: str | None
    catalog_model: str | None


class ProfileSummary(Open):
    id: str
    url: str
    file_name: str
    format: str
    format_label: str
    created_at: str
    rows_read: int
    rows_skipped: int
    skipped: dict[str, int]
    first_day: dt.date | None
    last_day: dt.date | None
    models: list[str]
    unresolved_models: list[str]
    warnings: list[Any]
    has_reported_cost: bool
    unidentified_meters: list[dict[str, Any]]
    totals: list[ModelTotals]


class ProfileCreated(ProfileSummary):
    delete_token: str = Field(
        description="Shown once: send it back as the X-Delete-Token header to delete the profile."
    )


class UploadJobStatus(Open):
    """A large upload read in the background (POST /api/profiles/ with Prefer: respond-async)."""

    id: str
    state: Literal["queued", "reading", "done", "failed"]
    file_name: str
    size: int
    created_at: str
    status_url: str
    profile: ProfileCreated | None = Field(
        None,
        description=(
            "When done: the profile's summary with a delete token. Each read of a finished job "
            "issues a new token; the one read before stops working."
        ),
    )
    error: Error | None = Field(None, description="When failed: the reader's message, line and column.")
    error_status: int | None = Field(None, description="When failed: the status a direct upload would have had.")


class Projection(Open):
    profile: str
    scenario: dict[str, Any]
    horizon: dict[str, Any]
    comparison: dict[str, Any]
    summary: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    offers: list[dict[str, Any]]
    history: dict[str, Any]


class CatalogPrice(Open):
    currency: str
    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float | None
    effective_from: dt.date
    effective_to: dt.date | None
    verification: str


class CatalogModel(Open):
    provider: str
    model_id: str
    display_name: str
    tier: str
    token_ratio: float
    aliases: list[str]
    context_window: int | None
    price: CatalogPrice | None


class CatalogPage(Open):
    day: dt.date
    currency: str
    cny_per_usd: float | None
    rate_day: dt.date | None
    count: int
    page: int
    pages: int
    models: list[CatalogModel]


class OfferOut(Open):
    provider: str
    name: str
    free_tokens: int | None
    credit_amount: float | None
    credit_currency: str | None
    token_kind: str
    per_model: bool
    eligible_models: list[str]
    eligibility: str
    starts_on: dt.date
    ends_on: dt.date | None
    last_seen_on: dt.date | None
    assumed_until: dt.date | None
    valid_days_after_claim: int | None
    verification: str
    source_url: str


class OfferList(Open):
    offers: list[OfferOut]


class EstimateIn(Schema):
    """The `/estimate/` form's fields (a JSON object or a form body)."""

    model: str = Field(description="`provider/model-id` as /api/catalog/models lists it, or an id or alias")
    input_tokens: int | str = Field(description="per month, cache reads included: 120000000, 120M or 1.5B")
    output_tokens: int | str = Field(description="per month")
    cache_read_pct: float = Field(0, ge=0, le=100)
    batch_pct: float = Field(0, ge=0, le=100)
    prompt: int = Field(None, description="typical input tokens per request")
    growth: float | None = Field(None, description="% per month")
