"""Turning cloud-bill lines (one meter x day x quantity x cost each) into per-row usage arrays.

Shared by the Azure, AWS, Google and FOCUS readers. Each reader decides which lines are LLM
usage charges and what the bill says about units; this module matches the meter text against
the meter rules, scales quantities to tokens, splits them by token kind, and keeps what the
canonical frame cannot hold: the billed cost per token kind (`BilledUsage` rows, from which
the engine derives the bill's effective unit prices) and the meters nobody could identify.

Every rule look-up and unit parse happens once per distinct meter or unit text (a bill has a
few hundred), never per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..text import Worded, gettext_noop
from .columns import Columns
from .meters import (
    CHARACTERS,
    NOT_TOKENS,
    OTHER,
    TOKEN_KINDS,
    TOKENS,
    MeterRule,
    match,
    ordered,
    parse_unit,
)
from .rows import Rows, skip

NOT_PER_TOKEN = "meter not billed per token (hours, requests, storage...)"
UNIDENTIFIED = "token meter not in the meter table"
NO_UNIT = "token meter without a unit"
PER_CHARACTER = "billed per character (no documented tokens-per-character ratio)"
NEGATIVE = "negative quantity (correction)"
NO_REQUESTS_WARNING = Worded(gettext_noop("cloud bill: request counts are not in this file"))


@dataclass
class Lines:
    """What a reader found in the bill, one entry per file row."""

    keep: np.ndarray  # LLM usage lines so far (service, charge type checked)
    meter: pa.DictionaryArray  # meter text as written (null where empty)
    quantity: np.ndarray  # float64, in the bill's unit
    unit: pa.Array | None  # the bill's unit text per row, or None when it has no unit column
    cost: np.ndarray  # float64, NaN where the row has no money
    currency: str | pa.Array
    provider: str | pa.Array  # source provider slug per row
    bill_model: pa.Array | None = None  # model id the bill names (resource ARN...), if any
    # rows whose quantity is already in tokens although the unit names a block (Azure k-check)
    quantity_in_tokens: np.ndarray | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _unit_arrays(unit: pa.Array | None, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the unit's kind (as an object array of strings) and its amount."""
    if unit is None:
        return np.full(size, "", dtype=object), np.full(size, np.nan)
    coded = unit if pa.types.is_dictionary(unit.type) else pc.dictionary_encode(unit)
    parsed = [parse_unit(text) for text in coded.dictionary.to_pylist()]
    kinds = np.array([kind for kind, _ in parsed] + [""], dtype=object)
    amounts = np.array([amount for _, amount in parsed] + [np.nan], dtype=np.float64)
    indices = pc.fill_null(coded.indices, len(parsed)).to_numpy(zero_copy_only=False)
    return kinds[indices], amounts[indices]


def _dictionary(values: pa.Array) -> pa.DictionaryArray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)


def build_rows(
    cols: Columns,
    lines: Lines,
    rules: tuple[MeterRule, ...],
    bill: str,
    *,
    day_field: str,
    meter_field: str,
) -> Rows:
    """Rows of the canonical frame from checked bill lines; see the module docstring."""
    size = cols.num_rows
    keep = lines.keep
    skipped = lines.skipped
    tried = ordered(rules, bill)
    meter = _dictionary(lines.meter)
    meter_texts = meter.dictionary.to_pylist()
    found = [match(tried, text) for text in meter_texts]
    meter_idx = pc.fill_null(meter.indices, len(meter_texts)).to_numpy(zero_copy_only=False)

    kind_of_meter = np.array([r.token_kind if r else "" for r in found] + [""], dtype=object)
    kind = kind_of_meter[meter_idx]
    unit_kind, unit_amount = _unit_arrays(lines.unit, size)
    rule_per_unit = np.array(
        [r.tokens_per_unit if r and r.tokens_per_unit else np.nan for r in found] + [np.nan]
    )[meter_idx]

    no_rule = kind == ""
    token_like = (unit_kind == TOKENS) | np.isin(
        meter_idx, [i for i, t in enumerate(meter_texts) if t.lower().endswith("tokens")]
    )
    unidentified = keep & no_rule & token_like
    keep = skip(keep, (no_rule & ~token_like) | (kind == NOT_TOKENS), NOT_PER_TOKEN, skipped)
    keep = skip(keep, unidentified, UNIDENTIFIED, skipped)
    keep = skip(keep, unit_kind == OTHER, NOT_PER_TOKEN, skipped)

    # Tokens per unit of quantity: what the bill says, else the rule's figure.
    per_unit = np.where(unit_kind == TOKENS, unit_amount, rule_per_unit)
    if lines.quantity_in_tokens is not None:
        per_unit = np.where(lines.quantity_in_tokens, 1.0, per_unit)
    # Older Vertex SKUs were billed per character; no documented tokens-per-character ratio
    # was found, so they are counted as skipped rather than converted with a guess.
    keep = skip(keep, unit_kind == CHARACTERS, PER_CHARACTER, skipped)
    missing_unit = np.isnan(per_unit)
    unlisted_no_unit = keep & missing_unit
    keep = skip(keep, missing_unit, NO_UNIT, skipped)
    quantity = np.nan_to_num(lines.quantity, nan=0.0)
    keep = skip(keep, quantity < 0, NEGATIVE, skipped)

    # also for unidentified rows: their tokens are listed when the unit is known
    tokens_any = quantity * per_unit
    tokens_float = np.where(keep, np.nan_to_num(tokens_any), 0.0)
    tokens = np.rint(tokens_float).astype(np.int64)
    if (tokens_float > 1e13).any():
        bad = int(np.flatnonzero(tokens_float > 1e13)[0])
        raise cols.error(
            bad,
            "quantity",
            gettext_noop("{quantity!r} units is not a plausible token count"),
            quantity=lines.quantity[bad],
        )
    day = cols.days(day_field, keep)

    model, model_names, model_codes = _models(lines, meter, meter_texts, found, meter_idx, size)
    from_meter = _model_from_meter(lines, found, meter_idx)
    batch_of_meter = np.array([bool(r and r.batch) for r in found] + [False])
    batch = batch_of_meter[meter_idx]
    arrays = {k: np.where(keep & (kind == k), tokens, 0) for k in TOKEN_KINDS}
    cost = np.where(keep, lines.cost, np.nan)

    provider_codes, providers = _codes(lines.provider, size)
    currency_codes, currencies = _codes(lines.currency, size)
    rows = Rows(
        keep=keep,
        day=day,
        model=model,
        requests=np.zeros(size, dtype=np.int64),
        uncached=arrays["input"],
        cache_read=arrays["cache_read"],
        cache_write=arrays["cache_write"],
        output=arrays["output"],
        batch=batch,
        provider=lines.provider,
        cost=cost,
        currency=lines.currency,
        skipped=skipped,
        warnings=[*lines.warnings, NO_REQUESTS_WARNING],
    )
    kind_codes = np.array([TOKEN_KINDS.index(k) if k in TOKEN_KINDS else 0 for k in kind_of_meter])
    rows.billed_usage = billed_usage(
        keep,
        day,
        provider_codes,
        providers,
        model_codes,
        model_names,
        kind_codes[meter_idx],
        batch,
        currency_codes,
        currencies,
        tokens,
        cost,
    )
    rows.unidentified_meters = _unidentified(
        bill,
        meter_idx,
        meter_texts,
        unidentified | unlisted_no_unit | (keep & from_meter),
        keep,
        tokens_any,
        quantity,
        lines.cost,
        currency_codes,
        currencies,
    )
    return rows


def _codes(values: str | pa.Array, size: int) -> tuple[np.ndarray, list[str | None]]:
    if isinstance(values, str):
        return np.zeros(size, dtype=np.int64), [values]
    coded = _dictionary(values)
    names = coded.dictionary.to_pylist()
    codes = pc.fill_null(coded.indices, len(names)).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), [*names, None]


def _models(
    lines: Lines,
    meter: pa.DictionaryArray,
    meter_texts: list[str],
    found: list[MeterRule | None],
    meter_idx: np.ndarray,
    size: int,
) -> tuple[pa.DictionaryArray, list[str], np.ndarray]:
    """The source model per row: the rule's model, else the model the bill names, else the
    meter text itself (so an unknown meter stays visible and can be identified)."""
    names: dict[str, int] = {}

    def code(name: str) -> int:
        return names.setdefault(name, len(names))

    meter_code = np.array([code(t) for t in meter_texts] + [code("")], dtype=np.int64)
    rule_code = np.array(
        [code(r.model) if r and r.model else -1 for r in found] + [-1], dtype=np.int64
    )
    chosen = meter_code[meter_idx]
    if lines.bill_model is not None:
        bill = _dictionary(lines.bill_model)
        bill_texts = bill.dictionary.to_pylist()
        bill_code = np.array([code(t) for t in bill_texts] + [-1], dtype=np.int64)
        by_bill = bill_code[pc.fill_null(bill.indices, len(bill_texts)).to_numpy(
            zero_copy_only=False
        )]
        chosen = np.where(by_bill >= 0, by_bill, chosen)
    by_rule = rule_code[meter_idx]
    chosen = np.where(by_rule >= 0, by_rule, chosen)
    table = list(names)
    model = pa.DictionaryArray.from_arrays(pa.array(chosen, pa.int32()), pa.array(table))
    return model, table, chosen


def _model_from_meter(
    lines: Lines, found: list[MeterRule | None], meter_idx: np.ndarray
) -> np.ndarray:
    """Rows whose source model is only the meter text (no rule model, no bill model)."""
    no_rule_model = np.array([not (r and r.model) for r in found] + [True])[meter_idx]
    if lines.bill_model is None:
        return no_rule_model
    has_bill_model = pc.is_valid(lines.bill_model).to_numpy(zero_copy_only=False)
    return no_rule_model & ~has_bill_model


def billed_usage(
    keep: np.ndarray,
    day: np.ndarray,
    provider_codes: np.ndarray,
    providers: list[str | None],
    model_codes: np.ndarray,
    models: list[str],
    kind_codes: np.ndarray,
    batch: np.ndarray,
    currency_codes: np.ndarray,
    currencies: list[str | None],
    tokens: np.ndarray,
    cost: np.ndarray,
) -> list[dict[str, object]]:
    """Tokens and billed cost per month x provider x model x token kind x batch x currency.

    `cost` is None in a group where some line carried no money: an effective unit price needs
    the cost of every token it divides by.
    """
    if not keep.any():
        return []
    month = day.astype("datetime64[M]").astype(np.int64)
    first_month = int(month[keep].min())
    parts = [
        np.where(keep, month - first_month, 0),
        provider_codes,
        model_codes,
        kind_codes,
        batch.astype(np.int64),
        currency_codes,
    ]
    sizes = [int(p[keep].max()) + 1 for p in parts]
    key = np.zeros(len(keep), dtype=np.int64)
    for part, cardinality in zip(parts, sizes, strict=True):
        key = key * cardinality + part
    key = key[keep]
    groups, inverse = np.unique(key, return_inverse=True)
    token_sums = np.bincount(inverse, weights=tokens[keep].astype(np.float64))
    kept_cost = cost[keep]
    has_cost = ~np.isnan(kept_cost)
    cost_sums = np.bincount(inverse, weights=np.where(has_cost, kept_cost, 0.0))
    costed = np.bincount(inverse, weights=has_cost)
    rows_per_group = np.bincount(inverse)
    result = []
    for i, group in enumerate(groups.tolist()):
        values = []
        for cardinality in reversed(sizes):
            group, value = divmod(group, cardinality)
            values.append(value)
        m, p, mo, k, b, c = reversed(values)
        month_value = np.datetime64(first_month + m, "M").astype(object)
        result.append(
            {
                "month": f"{month_value.year:04d}-{month_value.month:02d}",
                "source_provider": providers[p],
                "source_model": models[mo],
                "token_kind": TOKEN_KINDS[k],
                "batch": bool(b),
                "tokens": int(round(token_sums[i])),
                "cost": float(cost_sums[i]) if costed[i] == rows_per_group[i] else None,
                "currency": currencies[c],
            }
        )
    result.sort(key=lambda r: (r["month"], r["source_provider"] or "", r["source_model"],
                               r["batch"], TOKEN_KINDS.index(r["token_kind"])))
    return result


def _unidentified(
    bill: str,
    meter_idx: np.ndarray,
    meter_texts: list[str],
    mask: np.ndarray,
    kept: np.ndarray,
    tokens: np.ndarray,
    quantity: np.ndarray,
    cost: np.ndarray,
    currency_codes: np.ndarray,
    currencies: list[str | None],
) -> list[dict[str, object]]:
    """Meters the catalog cannot identify, with their tokens (None when the unit is unknown),
    quantity and billed cost per currency. `kept` says the usage stayed in the frame under the
    meter text (its token kind is known: identify the model on the dashboard); otherwise it was
    skipped and counted."""
    if not mask.any():
        return []
    result = []
    rows = np.flatnonzero(mask)
    pairs = meter_idx[rows] * (len(currencies) + 1) + currency_codes[rows]
    for pair in np.unique(pairs).tolist():
        m, c = divmod(pair, len(currencies) + 1)
        chosen = rows[pairs == pair]
        token_values = tokens[chosen]
        costs = cost[chosen]
        result.append(
            {
                "bill": bill,
                "meter": meter_texts[m] if m < len(meter_texts) else "",
                "tokens": None
                if np.isnan(token_values).any()
                else int(round(float(token_values.sum()))),
                "quantity": float(quantity[chosen].sum()),
                "cost": None if np.isnan(costs).all() else float(np.nansum(costs)),
                "currency": currencies[c],
                "rows": int(len(chosen)),
                "kept": bool(kept[chosen].all()),
            }
        )
    result.sort(key=lambda r: (-(r["cost"] or 0.0), r["meter"]))
    return result



def per_value(cols: Columns, name: str, test, default: bool = False) -> np.ndarray:
    """test(text) evaluated once per distinct value of a column, spread over its rows;
    `default` for empty cells and when the file has no such column."""
    if not cols.has(name):
        return np.full(cols.num_rows, default, dtype=bool)
    coded = cols.coded(name)
    values = np.array([bool(test(v)) for v in coded.dictionary.to_pylist()] + [default])
    return values[pc.fill_null(coded.indices, len(values) - 1).to_numpy(zero_copy_only=False)]


def first_hit(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


SUPPORTED_CURRENCIES = ("USD", "CNY")
NOT_USAGE = "not a usage charge (purchase, refund, tax, credit...)"
NOT_LLM = "not an LLM service (compute, storage, network, support...)"


def billing_currency(
    cols: Columns, keep: np.ndarray, name: str, warnings: list[str]
) -> str | pa.DictionaryArray:
    """The billing currency column upper-cased ('RMB' -> 'CNY'); USD when there is none.

    Anything but USD and CNY is an error on the first usage row that has it: the catalog prices
    and exchange rates are in those two only.
    """
    if not cols.has(name):
        warnings.append(
            Worded(gettext_noop("the bill has no currency column: costs are read as USD"))
        )
        return "USD"
    coded = cols.coded(name)
    written = pc.replace_substring(pc.utf8_upper(coded.dictionary), "RMB", "CNY")
    unknown = ~np.isin(np.array(written.to_pylist(), dtype=object), SUPPORTED_CURRENCIES)
    indices = pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False)
    bad = first_hit(np.isin(indices, np.flatnonzero(unknown)) & keep)
    if bad is not None:
        raise cols.error(
            bad,
            name,
            gettext_noop(
                "{currency!r} is not USD or CNY: TokenScope compares costs in those two "
                "currencies only"
            ),
            currency=written[int(indices[bad])].as_py(),
        )
    # empty cells point at an extra "USD" entry
    return pa.DictionaryArray.from_arrays(
        pc.fill_null(coded.indices, len(written)),
        pa.concat_arrays([pc.fill_null(written, "USD"), pa.array(["USD"])]),
    )
