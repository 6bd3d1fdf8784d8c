"""A usage profile from a few typed-in figures, for teams without an export at hand.

"We use gpt-4o, about 120M input and 30M output tokens a month, 40% of the input from cache"
becomes the canonical usage frame the readers produce: ``ESTIMATE_MONTHS`` complete calendar
months before today, each month's tokens spread evenly over its days (integers that add up
to the monthly figure exactly), so the projection's baseline - the mean of the last complete
months - is the typed figure itself and the same engine prices it everywhere.

Pure (pandas/numpy only).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .usage import CANONICAL_COLUMNS, UsageReport

ESTIMATE_MONTHS = 3
DEFAULT_PROMPT_TOKENS = 2_000  # input tokens per request when the user does not say
FORMAT = "estimate"
FORMAT_LABEL = "Typed-in estimate (monthly tokens)"


@dataclass(frozen=True)
class Estimate:
    """Monthly token volumes of one model, as a user types them."""

    provider: str  # slug of the provider billing the model today
    model_id: str
    input_tokens: int  # per month, cache reads included
    output_tokens: int  # per month, reasoning included
    cache_read_pct: float = 0.0  # share of the input tokens read from the prompt cache
    batch_pct: float = 0.0  # share of all tokens sent through a batch API
    prompt_tokens: int = DEFAULT_PROMPT_TOKENS  # typical input tokens per request

    def describe(self) -> str:
        parts = [f"{_short(self.input_tokens)} input", f"{_short(self.output_tokens)} output tokens a month"]
        if self.cache_read_pct:
            parts.insert(1, f"{self.cache_read_pct:g}% of the input from cache")
        if self.batch_pct:
            parts.append(f"{self.batch_pct:g}% batch")
        return f"{self.model_id}: " + ", ".join(parts)


def _short(tokens: int) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if tokens >= limit:
            return f"{tokens / limit:,.4g}{suffix}"
    return f"{tokens:,}"


def estimate_months(today: dt.date, count: int = ESTIMATE_MONTHS) -> list[dt.date]:
    """First days of the ``count`` complete calendar months before today's month."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(dt.date(year, month, 1))
    return sorted(months)


def _spread(total: int, days: int) -> np.ndarray:
    """``total`` over ``days`` days as integers that add up to it exactly."""
    base, remainder = divmod(int(total), days)
    values = np.full(days, base, dtype=np.int64)
    values[:remainder] += 1
    return values


def _split(total: int, pct: float) -> tuple[int, int]:
    """(part, rest) of ``total`` for a share in %, rounded so the two add up to ``total``."""
    part = round(total * pct / 100)
    return part, total - part


def _month_rows(estimate: Estimate, month: dt.date, batch: bool, volumes: dict[str, int]) -> pd.DataFrame:
    days = calendar.monthrange(month.year, month.month)[1]
    return pd.DataFrame(
        {
            "day": pd.date_range(month, periods=days, freq="D", unit="ns"),
            "source_provider": estimate.provider,
            "source_model": estimate.model_id,
            "batch": batch,
            **{column: _spread(total, days) for column, total in volumes.items()},
            "tokens_cache_write": np.zeros(days, dtype=np.int64),
        }
    )


def estimate_frame(estimate: Estimate, today: dt.date) -> tuple[pd.DataFrame, UsageReport]:
    """The canonical usage frame and report of an estimate, months ending before ``today``."""
    cache_read, uncached = _split(estimate.input_tokens, estimate.cache_read_pct)
    requests = max(round(estimate.input_tokens / max(estimate.prompt_tokens, 1)), 1)
    by_column = {
        "requests": requests,
        "tokens_input_uncached": uncached,
        "tokens_cache_read": cache_read,
        "tokens_output": estimate.output_tokens,
    }
    # Batch and interactive usage are priced differently, so they are separate rows.
    parts = {column: _split(total, estimate.batch_pct) for column, total in by_column.items()}
    frames = []
    for month in estimate_months(today):
        for batch, position in ((False, 1), (True, 0)):
            volumes = {column: split[position] for column, split in parts.items()}
            if any(volumes[c] for c in volumes if c != "requests"):
                frames.append(_month_rows(estimate, month, batch, volumes))
    if not frames:
        raise ValueError("An estimate needs input or output tokens above zero.")
    frame = pd.concat(frames, ignore_index=True)
    frame["reported_cost"] = np.nan
    frame["reported_currency"] = pd.array([None] * len(frame), dtype="str")
    frame["source_provider"] = frame["source_provider"].astype("str")
    frame["source_model"] = frame["source_model"].astype("str")
    frame = frame.sort_values(["day", "batch"], ignore_index=True)[CANONICAL_COLUMNS]
    days = frame["day"].dt.date
    report = UsageReport(
        format=FORMAT,
        format_label=FORMAT_LABEL,
        rows_read=len(frame),
        first_day=days.min(),
        last_day=days.max(),
        models=[estimate.model_id],
    )
    return frame, report
