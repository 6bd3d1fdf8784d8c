"""Price in force on each day, and the cost of token counts priced with it.

Everything works on an integer day axis (`catalog_types.day_number`) so a model's prices over a
whole projection or upload are a handful of numpy arrays: one look-up per price row, not per day.
Prices are per 1M tokens in the row's currency; NaN means "no price in force" (never 0 - a
price of 0 is a real free tier).

Dated snapshots before their release: on a day before a model's `released_on`, when the model
has no price of its own, it is priced - flagged in `PriceSchedule.estimated` - as its family's
head model in force that day (the model of the same provider whose `model_id` equals the
family, e.g. `gpt-4o-2024-08-06` on 2024-07-09 -> `gpt-4o` at $5/$15). Only a head of the same
tier is used: `gpt-4o-mini` (family `gpt-4o`) is not priced as the flagship before its release;
those days stay unpriced. A model whose release date is unknown gets no such estimate.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog_types import CURRENCIES, UNVERIFIED, Catalog, PriceRow, day_number
from .frame import TOKEN_COLUMNS
from .fx import rates_on

PER_MTOK = 1_000_000.0
# The six prices of a schedule, in the order of `PriceSchedule.table`.
PRICE_KINDS = ("input", "output", "cache_read", "cache_write", "batch_input", "batch_output")
PRICE_INDEX = {kind: i for i, kind in enumerate(PRICE_KINDS)}


@dataclass(frozen=True, slots=True)
class PriceSchedule:
    """One model's resolved prices on each day of `days` (NaN = unpriced that day).

    Fallbacks are already applied: cache reads/writes without their own price use the input
    price, batch usage without a batch price uses the normal price; the *_fallback arrays say
    on which days that happened so the UI can show it.
    """

    model: int
    days: np.ndarray  # int64 day numbers
    currency_code: np.ndarray  # int8 index into CURRENCIES, -1 = unpriced
    input: np.ndarray
    output: np.ndarray
    cache_read: np.ndarray
    cache_write: np.ndarray
    batch_input: np.ndarray
    batch_output: np.ndarray
    cache_read_fallback: np.ndarray
    cache_write_fallback: np.ndarray
    batch_fallback: np.ndarray
    unverified: np.ndarray
    estimated: np.ndarray  # priced as the family head before this model's release
    table: np.ndarray  # [6, day]: the six prices above in PRICE_KINDS order (they are its rows)
    estimated_as: int | None = None  # the family head's key when any day is estimated

    @property
    def priced(self) -> np.ndarray:
        return self.currency_code >= 0

    def currencies(self) -> set[str]:
        return {CURRENCIES[c] for c in np.unique(self.currency_code) if c >= 0}


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def family_head(catalog: Catalog, model_key: int) -> int | None:
    """The same-tier model of the same provider whose model_id is this model's family."""
    model = catalog.models[model_key]
    if not model.family or model.released_on is None:
        return None
    index = catalog.provider_model_index.get(model.provider, {})
    key = index.get(model.family.strip().lower())
    if key is None or key == model_key:
        return None
    head = catalog.models[key]
    if head.model_id.strip().lower() != model.family.strip().lower() or head.tier != model.tier:
        return None
    return key


def _day_slice(days: np.ndarray, start: dt.date, end: dt.date | None) -> slice:
    """Positions of sorted `days` in [start, end)."""
    lo = int(np.searchsorted(days, day_number(start), side="left"))
    hi = len(days) if end is None else int(np.searchsorted(days, day_number(end), side="left"))
    return slice(lo, max(lo, hi))


def _resolved(row: PriceRow) -> tuple[list[float], list[bool]]:
    """A price row's six prices in PRICE_KINDS order with the fallbacks applied (cache read /
    write at the input price, batch at the normal price), and which fell back (cache read,
    cache write, batch)."""
    inp, out = float(row.input_per_mtok), float(row.output_per_mtok)
    cr, cw = _or_nan(row.cache_read_per_mtok), _or_nan(row.cache_write_per_mtok)
    bi, bo = _or_nan(row.batch_input_per_mtok), _or_nan(row.batch_output_per_mtok)
    prices = [
        inp,
        out,
        inp if math.isnan(cr) else cr,
        inp if math.isnan(cw) else cw,
        inp if math.isnan(bi) else bi,
        out if math.isnan(bo) else bo,
    ]
    return prices, [math.isnan(cr), math.isnan(cw), math.isnan(bi) or math.isnan(bo)]


def _own_prices(
    catalog: Catalog,
    model_key: int,
    days: np.ndarray,
    prompt: float,
    include_unverified: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per day: the six resolved prices ([6, day] in PRICE_KINDS order, NaN = none), the
    three fallback flags ([3, day]), the currency code (-1 = none) and the unverified flag.
    Resolving each row once costs less than resolving every day."""
    n = len(days)
    values = np.full((len(PRICE_KINDS), n), np.nan)
    fallbacks = np.zeros((3, n), dtype=bool)
    code = np.full(n, -1, dtype=np.int8)
    unverified = np.zeros(n, dtype=bool)
    # Rows come sorted by (min_prompt_tokens, effective_from): a later, larger tier overwrites.
    for row in _price_rows(catalog, model_key, include_unverified):
        if row.min_prompt_tokens > prompt:
            continue
        span = _day_slice(days, row.effective_from, row.effective_to)
        if span.start == span.stop:
            continue
        prices, fell_back = _resolved(row)
        values[:, span] = np.array(prices)[:, None]
        fallbacks[:, span] = np.array(fell_back)[:, None]
        code[span] = CURRENCIES.index(row.currency)
        unverified[span] = row.verification == UNVERIFIED
    return values, fallbacks, code, unverified


def price_schedule(
    catalog: Catalog,
    model_key: int,
    days: np.ndarray,
    prompt_tokens: float | None = None,
    include_unverified: bool = False,
) -> PriceSchedule:
    """Prices of `model_key` in force on each day number in `days` (sorted ascending).

    Context tiers: among rows in force on a day, the one with the greatest
    `min_prompt_tokens` not above the typical prompt size wins.
    """
    days = np.asarray(days, dtype=np.int64)
    prompt = 0.0 if prompt_tokens is None else float(prompt_tokens)
    own = _own_prices(catalog, model_key, days, prompt, include_unverified)
    table, fallbacks, code, unverified = own
    estimated = np.zeros(len(days), dtype=bool)
    head = family_head(catalog, model_key)
    estimated_as = None
    if head is not None:
        released = catalog.models[model_key].released_on
        before = _day_slice(days, dt.date.min, released)
        missing = np.zeros(len(days), dtype=bool)
        missing[before] = code[before] < 0
        if missing.any():
            head_prices = _own_prices(catalog, head, days, prompt, include_unverified)
            missing &= head_prices[2] >= 0
            for mine, theirs in zip(own, head_prices, strict=True):
                mine[..., missing] = theirs[..., missing]
            estimated = missing
            estimated_as = head if missing.any() else None
    return PriceSchedule(
        model=model_key,
        days=days,
        currency_code=code,
        input=table[0],
        output=table[1],
        cache_read=table[2],
        cache_write=table[3],
        batch_input=table[4],
        batch_output=table[5],
        cache_read_fallback=fallbacks[0],
        cache_write_fallback=fallbacks[1],
        batch_fallback=fallbacks[2],
        unverified=unverified,
        estimated=estimated,
        table=table,
        estimated_as=estimated_as,
    )


def display_factor(
    catalog: Catalog,
    schedule: PriceSchedule,
    display_currency: str,
    fx_override: float | None = None,
) -> np.ndarray:
    """Per schedule day: multiply a native amount by this to get the display currency."""
    days = schedule.days
    target = rates_on(catalog, display_currency, days, fx_override)
    native = np.full(len(days), np.nan)
    for i, currency in enumerate(CURRENCIES):
        mask = schedule.currency_code == i
        if mask.any():
            native[mask] = rates_on(catalog, currency, days[mask], fx_override)
    return target / native


def token_cost(
    schedule: PriceSchedule,
    day_idx: np.ndarray | slice,
    uncached: np.ndarray | float,
    cache_read: np.ndarray | float,
    cache_write: np.ndarray | float,
    output: np.ndarray | float,
    batch: np.ndarray | bool,
) -> np.ndarray:
    """Native cost of token counts on schedule days `day_idx` (NaN where unpriced)."""
    inp = np.where(batch, schedule.batch_input[day_idx], schedule.input[day_idx])
    out = np.where(batch, schedule.batch_output[day_idx], schedule.output[day_idx])
    return (
        uncached * inp
        + cache_read * schedule.cache_read[day_idx]
        + cache_write * schedule.cache_write[day_idx]
        + output * out
    ) / PER_MTOK


def frame_day_numbers(days: pd.Series) -> np.ndarray:
    """Day numbers of a canonical frame's `day` column (tz-naive midnight = UTC day)."""
    return days.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def source_columns(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """source_provider / source_model as plain strings ("" for missing) and batch as bool,
    so they group and sort without NA surprises."""
    return {
        "source_provider": frame["source_provider"]
        .astype(object)
        .where(frame["source_provider"].notna(), "")
        .astype(str),
        "source_model": frame["source_model"]
        .astype(object)
        .where(frame["source_model"].notna(), "")
        .astype(str),
        "batch": frame["batch"].fillna(False).astype(bool) if "batch" in frame else False,
    }


def source_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Per (source_provider, source_model), "" for missing: requests, prompt tokens (uncached
    + cache read + cache write), output tokens, all tokens and billed money (any currency)."""
    columns = ["requests", "prompt", "output", "tokens", "cost"]
    if frame.empty:
        index = pd.MultiIndex.from_tuples([], names=["source_provider", "source_model"])
        return pd.DataFrame(columns=columns, index=index, dtype="float64")
    # Factorising the two label columns once is much cheaper than grouping on strings.
    provider_codes, providers = pd.factorize(frame["source_provider"].fillna(""), sort=False)
    model_codes, models = pd.factorize(frame["source_model"].fillna(""), sort=False)
    pair = provider_codes.astype(np.int64) * max(len(models), 1) + model_codes
    unique, inverse = np.unique(pair, return_inverse=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=values, minlength=len(unique))

    prompt = sum(frame[c].to_numpy(dtype=np.float64) for c in TOKEN_COLUMNS[:3])
    output = frame["tokens_output"].to_numpy(dtype=np.float64)
    cost = (
        np.nan_to_num(frame["reported_cost"].to_numpy(dtype=np.float64))
        if "reported_cost" in frame
        else np.zeros(len(frame))
    )
    index = pd.MultiIndex.from_arrays(
        [
            [str(p) for p in np.asarray(providers, dtype=object)[unique // max(len(models), 1)]],
            [str(m) for m in np.asarray(models, dtype=object)[unique % max(len(models), 1)]],
        ],
        names=["source_provider", "source_model"],
    )
    data = {
        "requests": total(frame["requests"].to_numpy(dtype=np.float64)),
        "prompt": total(prompt),
        "output": total(output),
        "tokens": total(prompt + output),
        "cost": total(cost),
    }
    return pd.DataFrame(data, index=index, columns=columns)


def typical_prompt_tokens(frame: pd.DataFrame) -> float | None:
    """Input tokens (uncached + cache read + cache write) per request over the whole frame."""
    requests = float(frame["requests"].sum()) if len(frame) else 0.0
    if requests <= 0:
        return None
    inputs = (
        frame["tokens_input_uncached"].sum()
        + frame["tokens_cache_read"].sum()
        + frame["tokens_cache_write"].sum()
    )
    return float(inputs) / requests


def price_frame(
    frame: pd.DataFrame,
    catalog: Catalog,
    model_key: int,
    display_currency: str = "USD",
    *,
    prompt_tokens: float | None = None,
    include_unverified: bool = False,
    fx_override: float | None = None,
) -> pd.DataFrame:
    """Cost of every row of a usage frame on one catalog model, day by day.

    Returns a frame aligned with `frame` with `cost_native`, `currency` (NA where unpriced),
    `cost_display` (NaN where unpriced), `priced`, `cache_fallback`, `batch_fallback`.
    """
    day_numbers = frame_day_numbers(frame["day"])
    unique_days, idx = np.unique(day_numbers, return_inverse=True)
    if prompt_tokens is None and "requests" in frame:
        prompt_tokens = typical_prompt_tokens(frame)
    schedule = price_schedule(catalog, model_key, unique_days, prompt_tokens, include_unverified)
    batch = frame["batch"].to_numpy(dtype=bool) if "batch" in frame else False
    cache_read = frame["tokens_cache_read"].to_numpy(dtype=np.float64)
    cache_write = frame["tokens_cache_write"].to_numpy(dtype=np.float64)
    native = token_cost(
        schedule,
        idx,
        frame["tokens_input_uncached"].to_numpy(dtype=np.float64),
        cache_read,
        cache_write,
        frame["tokens_output"].to_numpy(dtype=np.float64),
        batch,
    )
    factor = display_factor(catalog, schedule, display_currency, fx_override)[idx]
    code = schedule.currency_code[idx]
    currency_names = np.array([*CURRENCIES, None], dtype=object)
    cache_fallback = (schedule.cache_read_fallback[idx] & (cache_read > 0)) | (
        schedule.cache_write_fallback[idx] & (cache_write > 0)
    )
    return pd.DataFrame(
        {
            "cost_native": native,
            "currency": pd.array(currency_names[code], dtype="string"),
            "cost_display": native * factor,
            "priced": code >= 0,
            "cache_fallback": cache_fallback,
            "batch_fallback": schedule.batch_fallback[idx] & np.asarray(batch, dtype=bool),
        },
        index=frame.index,
    )


def blended_usd_price(
    catalog: Catalog,
    model_key: int,
    day: dt.date,
    include_unverified: bool = False,
    rates: dict[str, float] | None = None,
) -> float:
    """Input + output list price per 1M tokens in USD on `day` (base context tier); NaN if none.

    Scalar on purpose: mapping asks this for every model of a provider, and a numpy
    round-trip per model would dominate a projection over thousands of models. `rates`, when
    given, keeps each currency's rate on `day` between calls (a caller asking about one day).
    """
    chosen = None
    for row in _price_rows(catalog, model_key, include_unverified):
        if row.min_prompt_tokens == 0 and row.in_force_on(day):
            chosen = row
    if chosen is None:
        return np.nan
    per_usd = 1.0
    if chosen.currency != "USD":
        if rates is None or chosen.currency not in rates:
            per_usd = _usd_rate(catalog, chosen.currency, day)
            if rates is not None:
                rates[chosen.currency] = per_usd
        else:
            per_usd = rates[chosen.currency]
    return (chosen.input_per_mtok + chosen.output_per_mtok) / per_usd


def _usd_rate(catalog: Catalog, currency: str, day: dt.date) -> float:
    """Units of `currency` per USD on `day` (NaN without any rate)."""
    series = catalog.rates.get(currency)
    if series is None or len(series.days) == 0:
        return np.nan
    i = max(int(np.searchsorted(series.days, day_number(day), side="right")) - 1, 0)
    return float(series.per_usd[i])


def _price_rows(catalog: Catalog, model_key: int, include_unverified: bool) -> tuple | list:
    """`Catalog.price_rows` without building a tuple per call (asked thousands of times)."""
    rows = catalog.prices.get(model_key, ())
    if include_unverified:
        return rows
    return [row for row in rows if row.verification != UNVERIFIED]
