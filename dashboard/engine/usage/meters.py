"""Meter rules: which cloud-bill meter is which model, token kind, batch flag and unit.

Cloud bills name LLM usage by meter (Azure `MeterName`), usage type (AWS
`line_item_usage_type`) or SKU (Google `sku.description`), spelled differently for every model
generation. Those spellings are data, not code: the catalog's meter table (providers.MeterRule,
seeded from fixtures/catalog/meters.csv, edited in the admin) becomes a tuple of `MeterRule`
here, which the web layer passes to `read_usage(..., meter_rules=...)`. A new spelling is fixed
by an admin adding a row, never by a release.

A rule's pattern is a regular expression, matched case-insensitively against the WHOLE meter
text (with runs of whitespace collapsed to one space). Rules are tried model rules first, then
rules without a model ("kind-only" rules: they tell the token kind of a meter whose model the
catalog does not know yet, so its tokens still show up, under the meter text, as an id to
identify), each group by `priority` (lower first), then by pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..text import Worded, gettext_noop

BILLS = ("azure", "aws", "gcp")
INPUT = "input"
CACHE_READ = "cache_read"
CACHE_WRITE = "cache_write"
OUTPUT = "output"
NOT_TOKENS = "not_tokens"  # a known meter that is not billed per token (skipped, counted)
TOKEN_KINDS = (INPUT, CACHE_READ, CACHE_WRITE, OUTPUT)
KINDS = (*TOKEN_KINDS, NOT_TOKENS)


@dataclass(frozen=True, slots=True)
class MeterRule:
    bill: str  # "azure" | "aws" | "gcp": whose meter names the pattern is written for
    pattern: str  # regular expression for the whole meter text, case-insensitive
    token_kind: str  # one of KINDS
    model: str = ""  # catalog model id written as the source model; "" = not known
    batch: bool = False
    # tokens per billed unit, used when the bill itself does not state the unit
    tokens_per_unit: float | None = None
    priority: int = 100

    def __post_init__(self) -> None:
        if self.bill not in BILLS:
            raise ValueError(f"unknown bill {self.bill!r}; expected one of {', '.join(BILLS)}")
        if self.token_kind not in KINDS:
            raise ValueError(
                f"unknown token kind {self.token_kind!r}; expected one of {', '.join(KINDS)}"
            )
        compile_pattern(self.pattern)
        if self.tokens_per_unit is not None and not self.tokens_per_unit > 0:
            raise ValueError("tokens per unit must be greater than 0")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled rule pattern; raises ValueError with a readable message when invalid."""
    try:
        return _compiled(pattern)
    except re.error as exc:
        raise ValueError(
            Worded(
                gettext_noop("{pattern!r} is not a valid regular expression ({error})"),
                pattern=pattern,
                error=str(exc),
            )
        ) from None


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def normalise_meter(text: str) -> str:
    return " ".join(text.split())


def ordered(rules: Iterable[MeterRule], bill: str) -> tuple[MeterRule, ...]:
    """The rules of one bill in the order they are tried."""
    mine = [rule for rule in rules if rule.bill == bill]
    return tuple(sorted(mine, key=lambda r: (r.model == "", r.priority, r.pattern)))


def match(rules: tuple[MeterRule, ...], meter: str) -> MeterRule | None:
    """The first rule (in `ordered` order) whose pattern matches the whole meter text."""
    text = normalise_meter(meter)
    for rule in rules:
        if _compiled(rule.pattern).fullmatch(text):
            return rule
    return None


def rules_from_records(records: Iterable[Mapping[str, object]]) -> tuple[MeterRule, ...]:
    """Rules from plain records (e.g. rows of fixtures/catalog/meters.csv): keys `bill`,
    `pattern`, `token_kind`, optional `model_id`, `batch`, `tokens_per_unit`, `priority`."""
    rules = []
    for record in records:
        per_unit = str(record.get("tokens_per_unit") or "").strip()
        priority = str(record.get("priority") or "").strip()
        rules.append(
            MeterRule(
                bill=str(record["bill"]).strip(),
                pattern=str(record["pattern"]).strip(),
                token_kind=str(record["token_kind"]).strip(),
                model=str(record.get("model_id") or "").strip(),
                batch=str(record.get("batch") or "").strip().lower() in ("true", "1", "yes"),
                tokens_per_unit=float(per_unit) if per_unit else None,
                priority=int(priority) if priority else 100,
            )
        )
    return tuple(rules)


# --- units ------------------------------------------------------------------------------------

TOKENS = "tokens"
CHARACTERS = "characters"
REQUESTS = "requests"
BLOCKS = "blocks"  # "Units": a count of pricing blocks whose size the unit does not say
OTHER = "other"  # hours, GB, months...: not a token meter

_SCALE = {"": 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6}
_UNIT = re.compile(
    r"^(?P<count>\d+(?:\.\d+)?)?\s*(?P<scale>k|m|mn|thousand|million)?\s*"
    r"(?P<what>tokens?|characters?|chars?|requests?|counts?|units?)?$",
    re.IGNORECASE,
)


def parse_unit(text: str | None) -> tuple[str, float]:
    """What a bill's unit column says: (kind, amount per unit).

    '1K' and '1M' (Azure), '1K tokens' (AWS), '1000 Tokens' (FOCUS) and 'count' / 'Tokens'
    (Google, FOCUS) are token units: ('tokens', 1000.0), ('tokens', 1.0)... 'Units' alone is a
    block of unknown size ('blocks', nan); '1K characters' is ('characters', 1000.0); empty is
    ('', nan); hours, bytes and the like are ('other', nan).
    """
    cleaned = " ".join((text or "").replace("/", " ").split())
    if not cleaned:
        return "", float("nan")
    found = _UNIT.match(cleaned)
    if found is None:
        return OTHER, float("nan")
    count = float(found.group("count") or 1)
    scale = _SCALE[(found.group("scale") or "").lower()]
    what = (found.group("what") or "").lower()
    if what.startswith(("token", "count")):
        return TOKENS, count * scale
    if what.startswith("char"):
        return CHARACTERS, count * scale
    if what.startswith("request"):
        return REQUESTS, count * scale
    if what.startswith("unit") and not found.group("count") and not found.group("scale"):
        return BLOCKS, float("nan")
    if found.group("scale"):
        # Azure's UnitOfMeasure for token meters is the block alone: "1K", "1M", "1K Units"
        return TOKENS, count * scale
    return OTHER, float("nan")
