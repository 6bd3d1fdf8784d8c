"""The canonical usage frame's columns: the one home of these names.

Every usage reader produces a frame with `CANONICAL_COLUMNS` (one row per day, source provider,
source model and batch flag, summed); the profile store keeps the same columns in `UsageDay`
(a test checks the model's fields against them), and pricing, projection, history and
presentation read the token counts through `TOKEN_COLUMNS`.
"""

from __future__ import annotations

KEY_COLUMNS = ("day", "source_provider", "source_model", "batch")
TOKEN_COLUMNS = (
    "tokens_input_uncached",
    "tokens_cache_read",
    "tokens_cache_write",
    "tokens_output",
)
COUNT_COLUMNS = ("requests", *TOKEN_COLUMNS)
MONEY_COLUMNS = ("reported_cost", "reported_currency")
CANONICAL_COLUMNS = (*KEY_COLUMNS, *COUNT_COLUMNS, *MONEY_COLUMNS)
