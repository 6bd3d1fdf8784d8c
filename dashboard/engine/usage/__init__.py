"""Usage export readers: any supported export -> one canonical daily frame.

Public API: read_usage, UsageFileError, TooLarge (TooManyRows, TooManyModels), UsageReport, CANONICAL_COLUMNS, FORMATS;
model id matching lives in .resolve (candidate_keys, resolve_models).

The generic format is `date, model, input_tokens, output_tokens` plus optional
`cached_input_tokens, cache_write_tokens, requests, cost, currency, provider, batch` (headers
matched case-insensitively, Chinese aliases accepted). In the generic format input_tokens
EXCLUDES cached_input_tokens and cache_write_tokens: each token is counted in one column only.
"""

from .errors import TooLarge, TooManyModels, TooManyRows, UsageFileError
from .formats import FORMATS
from .reader import CANONICAL_COLUMNS, read_usage
from .report import UsageReport

__all__ = [
    "CANONICAL_COLUMNS",
    "FORMATS",
    "TooLarge",
    "TooManyModels",
    "TooManyRows",
    "UsageFileError",
    "UsageReport",
    "read_usage",
]
