"""AWS Cost and Usage Report line items for Amazon Bedrock (CUR 2.0 and legacy CUR).

Headers: CUR 2.0 snake case (`line_item_usage_start_date, line_item_product_code,
line_item_usage_type, line_item_usage_amount, line_item_unblended_cost,
line_item_currency_code`, `product` as a JSON map or `product_product_name`, `pricing_unit`)
and legacy CUR (`lineItem/UsageStartDate, lineItem/UsageType, lineItem/UnblendedCost`...,
`product/productName`, `pricing/unit`).

Bedrock lines are those of product code `AmazonBedrock` and of the AWS Marketplace products
that carry third-party models ("Claude 3 Haiku (Amazon Bedrock Edition)", whose product code
is opaque), plus any line whose usage type speaks of tokens. Only usage line items count (Tax,
Credit, Refund, EdpDiscount... are skipped and counted); `line_item_net_unblended_cost` is the
billed cost where it is filled (discounts included), else the unblended cost. Token kind,
batch flag and unit come from the usage type through the meter rules (Marketplace amounts are
millions of tokens, first-party amounts thousands unless `pricing_unit` says otherwise); the
model comes from the rule, else from the resource ARN (`.../inference-profile/eu.anthropic.
claude-haiku-4-5-20251001-v1:0`), else from the product name.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import Columns
from .metered import NOT_LLM, NOT_USAGE, Lines, billing_currency, build_rows, per_value
from .meters import MeterRule
from .rows import Rows, skip

LABEL = "AWS Cost and Usage Report (CUR 2.0 or legacy), Amazon Bedrock lines"
PROVIDER = "aws-bedrock"
ZERO_COMPANION = "zero-cost Marketplace line without a resource (duplicate of a billed line)"

FIELDS: dict[str, tuple[str, ...]] = {
    "day": ("line_item_usage_start_date", "lineitem/usagestartdate"),
    "usage_type": ("line_item_usage_type", "lineitem/usagetype"),
    "line_type": ("line_item_line_item_type", "lineitem/lineitemtype"),
    "product_code": ("line_item_product_code", "lineitem/productcode"),
    "product_name": ("product_product_name", "product/productname", "product_name"),
    "product": ("product",),
    "resource": ("line_item_resource_id", "lineitem/resourceid"),
    "quantity": ("line_item_usage_amount", "lineitem/usageamount"),
    "cost": ("line_item_unblended_cost", "lineitem/unblendedcost"),
    "net_cost": ("line_item_net_unblended_cost", "lineitem/netunblendedcost"),
    "currency": ("line_item_currency_code", "lineitem/currencycode"),
    "unit": ("pricing_unit", "pricing/unit", "product_pricing_unit"),
}
REQUIRED = ("day", "usage_type", "quantity", "cost")
NUMERIC = ("quantity", "cost", "net_cost")

_USAGE_LINES = {"usage", "discountedusage", "savingsplancoveredusage"}
_ARN_MODEL = re.compile(r"[:/](?:foundation-model|inference-profile)/([^/]+)$")
_EDITION = r"(?i)\s*\(amazon bedrock edition\)\s*$"
_PRODUCT_NAME = re.compile(r'"product_name"\s*:\s*"([^"]*)"')


def detect(header: set[str]) -> bool:
    return ("line_item_usage_type" in header and "line_item_usage_amount" in header) or (
        "lineitem/usagetype" in header and "lineitem/usageamount" in header
    )


def build(cols: Columns, rules: tuple[MeterRule, ...]) -> Rows:
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    keep = np.ones(cols.num_rows, dtype=bool)
    usage = per_value(cols, "line_type", lambda v: v.lower() in _USAGE_LINES, default=True)
    keep = skip(keep, ~usage, NOT_USAGE, skipped)
    keep = skip(keep, ~cols.present("usage_type"), "empty row", skipped)
    product_name = _product_names(cols)
    bedrock = per_value(cols, "product_code", lambda v: "bedrock" in v.lower())
    bedrock |= per_value(cols, "usage_type", lambda v: "token" in v.lower())
    if product_name is not None:
        named = pc.fill_null(pc.match_substring(product_name, "bedrock", ignore_case=True), False)
        bedrock |= named.to_numpy(zero_copy_only=False)
    keep = skip(keep, ~bedrock, NOT_LLM, skipped)

    cost = cols.floats("cost", keep)
    if cols.has("net_cost"):
        net = cols.floats("net_cost", keep)
        cost = np.where(np.isnan(net), cost, net)
    first_party = per_value(cols, "product_code", lambda v: v.lower() == "amazonbedrock")
    no_resource = ~cols.present("resource")
    keep = skip(keep, (cost == 0) & no_resource & ~first_party, ZERO_COMPANION, skipped)
    lines = Lines(
        keep=keep,
        meter=cols.coded("usage_type"),
        quantity=cols.floats("quantity", keep),
        unit=cols.coded("unit") if cols.has("unit") else None,
        cost=cost,
        currency=billing_currency(cols, keep, "currency", warnings),
        provider=PROVIDER,
        bill_model=_bill_models(cols, product_name),
        skipped=skipped,
        warnings=warnings,
    )
    return build_rows(cols, lines, rules, "aws", day_field="day", meter_field="usage_type")


def _product_names(cols: Columns) -> pa.Array | None:
    """The product name per row: its own column, or `product_name` inside CUR 2.0's map."""
    if cols.has("product_name"):
        return cols.text("product_name")
    if cols.has("product"):
        coded = cols.coded("product")
        names = []
        for text in coded.dictionary.to_pylist():
            found = _PRODUCT_NAME.search(text)
            names.append(found.group(1).strip() or None if found else None)
        return pa.DictionaryArray.from_arrays(
            coded.indices, pa.array(names, pa.string())
        ).dictionary_decode()
    return None


def _bill_models(cols: Columns, product_name: pa.Array | None) -> pa.Array | None:
    """The model the bill names: the ARN's model id, else the product name without
    "(Amazon Bedrock Edition)"."""
    by_arn = None
    if cols.has("resource"):
        coded = cols.coded("resource")
        ids = []
        for text in coded.dictionary.to_pylist():
            found = _ARN_MODEL.search(text)
            ids.append(found.group(1) if found else None)
        by_arn = pa.DictionaryArray.from_arrays(
            coded.indices, pa.array(ids, pa.string())
        ).dictionary_decode()
    by_name = None
    if product_name is not None:
        named = pc.match_substring(product_name, "bedrock edition", ignore_case=True)
        stripped = pc.replace_substring_regex(product_name, _EDITION, "")
        by_name = pc.if_else(pc.fill_null(named, False), stripped, pa.scalar(None, pa.string()))
    if by_arn is None:
        return by_name
    if by_name is None:
        return by_arn
    return pc.coalesce(by_arn, by_name)
