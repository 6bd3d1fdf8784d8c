"""Shared arithmetic of projection and history re-pricing: usage rows on a candidate's models.

Both modes reduce to "rows": token counts on a day (index into a day axis), for a source
model, with a batch flag. A candidate maps each source to one of its models (or none), prices
every row with that model's schedule, and sums the result per (model, token kind) x day into
`offers.Buckets`, then per month.

`UsageMatrix` holds the same rows as dense [group, day] arrays so that choosing models can
price every source on every admissible model at once (`pair_totals`, a few matrix products per
provider) and the offer search can simulate pools on per-day arrays of a (source, model) pair
(`pair_days`).

Speed: a model priced on every day of the axis (`ModelPrices.everywhere`, the usual case)
skips every "where priced" mask and the unpriced-token arithmetic, which would leave its
values unchanged; each model's six prices are converted as one [6, day] table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .catalog_types import CURRENCIES, Catalog, day_from_number
from .frame import TOKEN_COLUMNS
from .fx import rates_on
from .mapping import Mapping
from .offers import Buckets
from .pricing import PER_MTOK, PRICE_INDEX, PRICE_KINDS, PriceSchedule, price_schedule
from .reasons import Reason
from .scenario import Scenario

TOKEN_KINDS = TOKEN_COLUMNS
MONTHLY_COLUMNS = (
    "candidate",
    "month",
    *TOKEN_KINDS,
    "cost_native",
    "native_currency",
    "cost_display",
    "cost_display_without_offers",
    "free_tokens_used",
    "free_value_display",
    "unpriced_tokens",
    "cost_display_cumulative",
)
Source = tuple[str, str]  # (source_provider, source_model) as exported


class ModelPrices:
    """One model's prices on each day, per token (not per 1M), 0 where unpriced (the `priced`
    mask says where): `display(kind)` converted into the display currency, `native(kind)` in
    the model's own. Each table (the six prices of `pricing.PRICE_KINDS` as one [6, day]
    array) is built on first use (most models priced for a choice never need native prices)."""

    def __init__(self, schedule: PriceSchedule, factor: np.ndarray) -> None:
        self.schedule = schedule
        self.factor = factor
        self.priced = schedule.priced & np.isfinite(factor)
        self.priced_share = self.priced.astype(np.float64)
        self.everywhere = bool(self.priced.all())  # priced on every day of the axis
        # (On such a model every "where priced" below keeps all of its values: skipped.)
        codes = schedule.currency_code if self.everywhere else schedule.currency_code[self.priced]
        counts = np.bincount(codes, minlength=len(CURRENCIES))
        self.currencies = frozenset(CURRENCIES[c] for c in np.nonzero(counts)[0])
        unverified = schedule.unverified if self.everywhere else schedule.unverified & self.priced
        self.any_unverified = bool(unverified.any())
        if self.everywhere:
            self._to_display = factor / PER_MTOK
        else:
            self._to_display = np.where(self.priced, factor, 0.0) / PER_MTOK
        self._display: np.ndarray | None = None
        self._native: np.ndarray | None = None
        # Whether any day of the axis has each fallback (or an estimate) at all: when not,
        # `_notes` knows its answer without masking the days (usually none has).
        self.any_cache_read_fallback = bool(schedule.cache_read_fallback.any())
        self.any_cache_write_fallback = bool(schedule.cache_write_fallback.any())
        self.any_batch_fallback = bool(schedule.batch_fallback.any())
        self.any_estimated = schedule.estimated_as is not None and bool(schedule.estimated.any())
        # any of the four: else `_notes` has nothing to say on any day (and is not called)
        self.any_note = (
            self.any_cache_read_fallback or self.any_cache_write_fallback
            or self.any_batch_fallback or self.any_estimated
        )

    def display_table(self) -> np.ndarray:
        if self._display is None:
            self._display = self.schedule.table * self._to_display
            if not self.everywhere:
                self._display = np.where(self.priced, self._display, 0.0)
        return self._display

    def display(self, kind: str) -> np.ndarray:
        """`kind` is a PriceSchedule price: input, output, cache_read, cache_write,
        batch_input or batch_output."""
        return self.display_table()[PRICE_INDEX[kind]]

    def native_table(self) -> np.ndarray:
        if self._native is None:
            self._native = self.schedule.table / PER_MTOK
            if not self.everywhere:
                self._native = np.where(self.priced, self._native, 0.0)
        return self._native

    def native(self, kind: str) -> np.ndarray:
        return self.native_table()[PRICE_INDEX[kind]]


class ScheduleCache:
    """Price schedules and display factors per model over one day axis."""

    def __init__(
        self, catalog: Catalog, scenario: Scenario, days: np.ndarray, prompt: float | None
    ) -> None:
        self.catalog = catalog
        self.scenario = scenario
        self.days = days
        self.prompt = prompt
        self._cache: dict[int, ModelPrices] = {}
        # What else the evaluation works out once per catalog snapshot and day axis (e.g.
        # `comparison.planning`), each entry keyed by the scenario fields it reads.
        self.memo: dict = {}
        self._positions = np.arange(len(days))
        # Rates per currency over the whole axis, computed once: factor = display / native.
        target = rates_on(catalog, scenario.display_currency, days, scenario.fx_override)
        native = np.vstack(
            [rates_on(catalog, c, days, scenario.fx_override) for c in CURRENCIES]
            + [np.full(len(days), np.nan)]  # code -1: unpriced
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            self._factors = target / native

    def prices(self, model_key: int) -> ModelPrices:
        if model_key not in self._cache:
            schedule = price_schedule(
                self.catalog,
                model_key,
                self.days,
                self.prompt,
                self.scenario.include_unverified,
            )
            codes = schedule.currency_code.astype(np.int64)
            factor = self._factors[codes, self._positions]
            self._cache[model_key] = ModelPrices(schedule, factor)
        return self._cache[model_key]

    def get(self, model_key: int) -> tuple[PriceSchedule, np.ndarray]:
        prices = self.prices(model_key)
        return prices.schedule, prices.factor


@dataclass(slots=True)
class Rows:
    """Usage rows of one source group (a source model + batch flag) on a day axis."""

    source: Source
    source_key: int | None
    batch: bool
    day_idx: np.ndarray
    uncached: np.ndarray
    cache_read: np.ndarray
    cache_write: np.ndarray
    output: np.ndarray
    dense: bool = False  # day_idx is exactly 0..n_days-1: per-day sums need no bincount
    # Projected rows are rank 1: count of kind k on day d = volume[k] x weights[d]. Knowing it
    # lets `pair_totals` price a group on many models with one dot product per model.
    volume: tuple[float, float, float, float] | None = None
    weights: np.ndarray | None = None

    # every token per day (`total_per_day`), kept: each candidate asks for it
    _total: np.ndarray | None = field(default=None, repr=False, compare=False)

    def per_day(self, values: np.ndarray, n_days: int) -> np.ndarray:
        return values if self.dense else np.bincount(self.day_idx, weights=values, minlength=n_days)

    def total_per_day(self, n_days: int) -> np.ndarray:
        """Every token of the group per day of an axis of `n_days` (computed once)."""
        if self._total is None or len(self._total) != n_days:
            self._total = self.per_day(
                self.uncached + self.cache_read + self.cache_write + self.output, n_days
            )
        return self._total

    def dense_kinds(self, n_days: int) -> tuple[np.ndarray, ...]:
        return tuple(
            self.per_day(v, n_days)
            for v in (self.uncached, self.cache_read, self.cache_write, self.output)
        )

    def zeroed(self, keep: np.ndarray) -> Rows:
        """The same rows with every count on a day where `keep` (per day of the axis) is
        False set to 0 (the shape, and density, stay)."""
        if keep.all():
            return self
        factor = keep[self.day_idx].astype(np.float64)
        return Rows(
            self.source,
            self.source_key,
            self.batch,
            self.day_idx,
            self.uncached * factor,
            self.cache_read * factor,
            self.cache_write * factor,
            self.output * factor,
            dense=self.dense,
            volume=self.volume,
            weights=None if self.weights is None else self.weights * factor,
        )


class UsageMatrix:
    """Rows as dense [group, day] arrays, grouped by source, for pricing many models at once."""

    def __init__(self, rows: list[Rows], n_days: int) -> None:
        self.rows = rows
        self.n_days = n_days
        kinds = [r.dense_kinds(n_days) for r in rows]
        shape = (len(rows), n_days)
        self.uncached, self.cache_read, self.cache_write, self.output = (
            np.array([k[i] for k in kinds]).reshape(shape) for i in range(4)
        )
        self.batch = np.array([r.batch for r in rows], dtype=bool)
        self.sources: list[Source] = list(dict.fromkeys(r.source for r in rows))
        position = {s: i for i, s in enumerate(self.sources)}
        self.group_source = np.array([position[r.source] for r in rows], dtype=np.int64)
        # Rank-1 form when every group has it: distinct weight vectors, shared by identity.
        self.rank1 = bool(rows) and all(r.weights is not None and r.dense for r in rows)
        self.weights: list[np.ndarray] = []
        self.weight_of = np.zeros(len(rows), dtype=np.int64)
        self.volume = np.zeros((len(rows), 4))
        if self.rank1:
            seen: dict[int, int] = {}
            for g, r in enumerate(rows):
                assert r.weights is not None and r.volume is not None
                self.weight_of[g] = seen.setdefault(id(r.weights), len(seen))
                if self.weight_of[g] == len(self.weights):
                    self.weights.append(r.weights)
                self.volume[g] = r.volume

        self.total = self.uncached + self.cache_read + self.cache_write + self.output
        self._source_tokens: dict[Source, float] | None = None
        self._one_group_per_source = np.array_equal(self.group_source, np.arange(len(rows)))

    def by_source(self, per_group: np.ndarray) -> np.ndarray:
        """Rows of a [group, ...] array summed per source (in `sources` order)."""
        if self._one_group_per_source:
            return per_group
        summed = np.zeros((len(self.sources), *per_group.shape[1:]))
        for g, source in enumerate(self.group_source):
            summed[source] += per_group[g]
        return summed

    def source_tokens(self) -> dict[Source, float]:
        if self._source_tokens is None:
            sums = np.bincount(
                self.group_source, weights=self.total.sum(axis=1), minlength=len(self.sources)
            )
            self._source_tokens = {s: float(v) for s, v in zip(self.sources, sums, strict=True)}
        return self._source_tokens

    def groups_of(self, source: Source) -> np.ndarray:
        return np.nonzero(self.group_source == self.sources.index(source))[0]


def pair_totals(
    usage: UsageMatrix, schedules: ScheduleCache, models: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(unpriced tokens, display cost) of every source on every model, before token ratios
    and offers: two [source, model] matrices."""
    n_sources = len(usage.sources)
    if not models or not usage.rows:
        return np.zeros((n_sources, len(models))), np.zeros((n_sources, len(models)))
    batch = bool(usage.batch.any())
    # The models' price tables stacked [model, day] per kind: the same for every growth rate,
    # so kept with the schedules (one catalog snapshot and day axis).
    key = ("pair_totals", tuple(models), batch)
    stacked = schedules.memo.get(key)
    if stacked is None:
        prices = [schedules.prices(m) for m in models]
        tables = np.stack([p.display_table() for p in prices], axis=1)  # [kind, model, day]
        kinds = PRICE_KINDS if batch else PRICE_KINDS[:4]
        stacked = {name: tables[PRICE_INDEX[name]] for name in kinds}
        stacked["unpriced"] = np.array([~p.priced for p in prices], dtype=np.float64)
        schedules.memo[key] = stacked
    if usage.rank1:
        unpriced, cost = _rank1_totals(usage, stacked)
    else:
        unpriced, cost = _dense_totals(usage, stacked)
    return usage.by_source(unpriced), usage.by_source(cost)


def _kind_prices(stacked: dict[str, np.ndarray], batch: bool) -> list[np.ndarray]:
    """Price matrices in the order of the token kinds (uncached, cache read/write, output)."""
    return [
        stacked["batch_input" if batch else "input"],
        stacked["cache_read"],
        stacked["cache_write"],
        stacked["batch_output" if batch else "output"],
    ]


def _rank1_totals(usage: UsageMatrix, stacked: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    # Each (weight vector, price) pair is one matrix-vector product over the day axis; the
    # groups sharing the weights then need only their four volumes.
    n_models = stacked["input"].shape[0]
    cost = np.zeros((len(usage.rows), n_models))
    unpriced = np.zeros((len(usage.rows), n_models))
    for u, weights in enumerate(usage.weights):
        summed = {name: matrix @ weights for name, matrix in stacked.items()}
        for batch in (False, True):
            groups = (usage.weight_of == u) & (usage.batch == batch)
            if not groups.any():
                continue
            kinds = _kind_prices(summed, batch)
            volume = usage.volume[groups]
            cost[groups] = sum(volume[:, k : k + 1] * kinds[k][None, :] for k in range(4))
            unpriced[groups] = volume.sum(axis=1)[:, None] * summed["unpriced"][None, :]
    return unpriced, cost


def _dense_totals(usage: UsageMatrix, stacked: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    # einsum, not `@`: on these small matrices a threaded BLAS spends more time on its
    # threads than on the arithmetic.
    counts = (usage.uncached, usage.cache_read, usage.cache_write, usage.output)
    n_models = stacked["input"].shape[0]
    cost = np.zeros((len(usage.rows), n_models))
    for batch in (False, True):
        groups = usage.batch == batch
        if groups.any():
            kinds = _kind_prices(stacked, batch)
            cost[groups] = sum(
                np.einsum("gd,md->gm", counts[k][groups], kinds[k]) for k in range(4)
            )
    unpriced = np.einsum("gd,md->gm", usage.total, stacked["unpriced"])
    return unpriced, cost


# Rows of `pair_days`: what a pool draws on, per day.
PAIR_ROWS = ("tokens_in", "tokens_out", "cost_in", "cost_out", "unpriced_in", "unpriced_out")


def pair_days(
    usage: UsageMatrix, schedules: ScheduleCache, source: Source, model: int, ratio: float
) -> np.ndarray:
    """One source on one model per day, after its token ratio, as a [6, day] array (rows in
    PAIR_ROWS order): priced input (uncached + cache) and output tokens, their display cost,
    and the input and output tokens without a price."""
    p = schedules.prices(model)
    out = np.zeros((6, usage.n_days))
    for g in usage.groups_of(source):
        batch = usage.batch[g]
        out[0] += usage.uncached[g] + usage.cache_read[g] + usage.cache_write[g]
        out[1] += usage.output[g]
        out[2] += (
            usage.uncached[g] * p.display("batch_input" if batch else "input")
            + usage.cache_read[g] * p.display("cache_read")
            + usage.cache_write[g] * p.display("cache_write")
        )
        out[3] += usage.output[g] * p.display("batch_output" if batch else "output")
    out *= ratio
    if p.everywhere:  # every token priced: rows 4 and 5 stay 0, rows 0 and 1 as they are
        return out
    out[4] = np.where(p.priced, 0.0, out[0])
    out[5] = np.where(p.priced, 0.0, out[1])
    out[0] = np.where(p.priced, out[0], 0.0)
    out[1] = np.where(p.priced, out[1], 0.0)
    return out


@dataclass(slots=True)
class SourceDays:
    """One source on a candidate: its tokens per day in source units and, before offers, the
    target tokens without a price, with the bucket rows they sit in."""

    tokens: np.ndarray
    ratio: float
    unpriced: np.ndarray
    bucket: int | None  # input bucket row (output = bucket + 1); None = no target


@dataclass(slots=True)
class CandidateDays:
    """A candidate's usage and costs per day, before and after offers."""

    buckets: Buckets
    tokens: dict[str, np.ndarray]  # per token column, per day (after token ratio)
    unmapped_tokens: np.ndarray  # tokens of sources without any model: never covered
    priced_tokens: np.ndarray  # before offers
    cost_display_without_offers: np.ndarray
    native_currency: str | None
    sources: dict[Source, SourceDays] = field(default_factory=dict)
    currencies: set[str] = field(default_factory=set)
    uses_unverified: bool = False
    notes: set[Reason] = field(default_factory=set)
    unpriced_before_offers: np.ndarray | None = None

    @property
    def unpriced_tokens(self) -> np.ndarray:
        """Per day: tokens with no known cost after offers (pools cover unpriced usage too)."""
        return self.unmapped_tokens + self.buckets.unpriced.sum(axis=0)

    @property
    def known_tokens(self) -> np.ndarray:
        """Per day: tokens whose cost is known (paid at a price, or free from a pool)."""
        return self.priced_tokens + self.buckets.free_unpriced


# Notes without parameters (a Reason is immutable: one instance serves every candidate).
_CACHE_READ_NOTE = Reason.of("cache_read_fallback")
_CACHE_WRITE_NOTE = Reason.of("cache_write_fallback")
_BATCH_NOTE = Reason.of("batch_fallback")


def _notes(
    catalog: Catalog,
    prices: ModelPrices,
    batch: bool,
    idx: np.ndarray | slice,
    priced: np.ndarray,
    cr: np.ndarray | None,
    cw: np.ndarray | None,
) -> set[Reason]:
    # Each `any_*` flag False means no day of the axis has it: the masked test below would
    # be False on any selection of days, so it is skipped (the same answer, no arrays).
    # `cr` / `cw` None: the group has no cache tokens on any day (the same answer again).
    schedule = prices.schedule
    notes = set()
    if (
        prices.any_cache_read_fallback and cr is not None
        and (schedule.cache_read_fallback[idx] & priced & (cr > 0)).any()
    ):
        notes.add(_CACHE_READ_NOTE)
    if (
        prices.any_cache_write_fallback and cw is not None
        and (schedule.cache_write_fallback[idx] & priced & (cw > 0)).any()
    ):
        notes.add(_CACHE_WRITE_NOTE)
    if batch and prices.any_batch_fallback and (schedule.batch_fallback[idx] & priced).any():
        notes.add(_BATCH_NOTE)
    if prices.any_estimated and (schedule.estimated[idx] & priced).any():
        model = catalog.models[schedule.model]
        notes.add(
            Reason.of(
                "pre_release",
                model=model.model_id,
                family_model=catalog.models[schedule.estimated_as].model_id,
                released_on=model.released_on,
            )
        )
    return notes


def _group_notes(catalog: Catalog, prices: ModelPrices, group: Rows, sel: np.ndarray | slice) -> set[Reason]:
    """`_notes` of one (scaled) group; a merged projected group knows its volumes, so a kind
    it has none of (no cache reads, say) needs no test on its days."""
    volume = group.volume
    cr = group.cache_read if volume is None or volume[1] != 0 else None
    cw = group.cache_write if volume is None or volume[2] != 0 else None
    return _notes(catalog, prices, group.batch, sel, prices.priced[sel], cr, cw)


def _scaled_groups(rows: list[Rows], mappings: dict[Source, Mapping]) -> list[tuple[Rows, int | None]]:
    """Each group's counts in its target's tokens (x token ratio), with its target model.

    Projected (rank-1) groups on the same target, batch flag and day weights add up to one
    group: they are priced together, the same arithmetic on fewer arrays."""
    scaled: list[tuple[Rows, int | None]] = []
    merged: dict[tuple[int | None, bool, int], list] = {}
    for group in rows:
        mapping = mappings[group.source]
        target = mapping.target_key
        ratio = 1.0 if target is None else mapping.token_ratio
        if group.dense and group.weights is not None and group.volume is not None:
            key = (target, group.batch, id(group.weights))
            entry = merged.setdefault(key, [group, [0.0, 0.0, 0.0, 0.0]])
            # Python floats: the same float64 sums and products as a numpy [4] array gets
            # (0.0 + v * ratio, then + v * ratio per further group), without its overhead.
            entry[1] = [a + v * ratio for a, v in zip(entry[1], group.volume, strict=True)]
            continue
        counts = (group.uncached, group.cache_read, group.cache_write, group.output)
        unc, cr, cw, out = (v * ratio for v in counts)
        scaled.append((Rows(group.source, group.source_key, group.batch, group.day_idx, unc, cr, cw, out, group.dense), target))
    for (target, batch, _), (first, volume) in merged.items():
        weights = first.weights
        unc, cr, cw, out = (v * weights for v in volume)
        rows_ = Rows(first.source, None, batch, first.day_idx, unc, cr, cw, out, dense=True, volume=tuple(volume))
        scaled.append((rows_, target))
    return scaled


def _source_days(
    rows: list[Rows],
    mappings: dict[Source, Mapping],
    schedules: ScheduleCache,
    n_days: int,
    position: dict[int, int],
) -> dict[Source, SourceDays]:
    """Per source: its tokens per day (source units) and, before offers, its target tokens
    without a price, with the bucket rows they sit in."""
    sources: dict[Source, SourceDays] = {}
    nothing = np.zeros(n_days)  # shared by every source with nothing unpriced: never written
    nothing.flags.writeable = False
    for group in rows:
        mapping = mappings[group.source]
        target = mapping.target_key
        ratio = 1.0 if target is None else mapping.token_ratio
        tokens = group.total_per_day(n_days)
        if target is None:
            unpriced = tokens
        elif not schedules.prices(target).everywhere:  # else nothing is unpriced
            unpriced = tokens * ratio * (1.0 - schedules.prices(target).priced_share)
        else:
            unpriced = None
        info = sources.get(group.source)
        if info is None:  # a source's first group: its own arrays (0 + x is x)
            bucket = None if target is None else 2 * position[target]
            kept = nothing if unpriced is None else unpriced.copy()
            sources[group.source] = SourceDays(tokens.copy(), ratio, kept, bucket)
            continue
        info.tokens += tokens
        if unpriced is not None:
            info.unpriced += unpriced
    return sources


# Rows of a `ModelPrices` table: (input, output) per batch flag, and the cache prices.
_KIND_ROWS = {
    False: (PRICE_INDEX["input"], PRICE_INDEX["output"]),
    True: (PRICE_INDEX["batch_input"], PRICE_INDEX["batch_output"]),
}
_CACHE_READ, _CACHE_WRITE = PRICE_INDEX["cache_read"], PRICE_INDEX["cache_write"]


def candidate_days(
    rows: list[Rows],
    mappings: dict[Source, Mapping],
    schedules: ScheduleCache,
    n_days: int,
) -> CandidateDays:
    """Price every row group on its mapped model and collect per-day buckets."""
    targets = sorted({m.target_key for m in mappings.values() if m.target_key is not None})
    position = {key: i for i, key in enumerate(targets)}
    n_buckets = 2 * len(targets)
    tokens_b = np.zeros((n_buckets, n_days))
    display_b = np.zeros((n_buckets, n_days))
    native_b = np.zeros((n_buckets, n_days))
    unpriced_b = np.zeros((n_buckets, n_days))
    token_days = {name: np.zeros(n_days) for name in TOKEN_KINDS}
    unmapped = np.zeros(n_days)
    priced_tokens = np.zeros(n_days)
    currencies: set[str] = set()
    uses_unverified = False
    notes: set[Reason] = set()
    for group, target in _scaled_groups(rows, mappings):
        unc, cr, cw, out = group.uncached, group.cache_read, group.cache_write, group.output
        # Dense rows cover every day in order: a slice avoids copying each price array.
        sel = slice(None) if group.dense else group.day_idx

        def per_day(values: np.ndarray, group: Rows = group) -> np.ndarray:
            return group.per_day(values, n_days)

        for name, values in zip(TOKEN_KINDS, (unc, cr, cw, out), strict=True):
            token_days[name] += per_day(values)
        inp = unc + cr + cw
        if target is None:
            unmapped += per_day(inp + out)
            continue
        prices = schedules.prices(target)
        b = 2 * position[target]
        if prices.everywhere:  # the same arithmetic, less of it: x * 1 = x, x - x = 0
            priced_in, priced_out = inp, out
        else:
            share = prices.priced_share[sel]
            priced_in, priced_out = inp * share, out * share
            unpriced_b[b] += per_day(inp - priced_in)
            unpriced_b[b + 1] += per_day(out - priced_out)
        priced_tokens += per_day(priced_in + priced_out)
        if not prices.everywhere and not share.any():
            continue
        i_in, i_out = _KIND_ROWS[group.batch]
        for into, table in ((display_b, prices.display_table()), (native_b, prices.native_table())):
            if not group.dense:  # dense rows cover every day in order: the table as it is
                table = table[:, sel]
            into[b] += per_day(unc * table[i_in] + cr * table[_CACHE_READ] + cw * table[_CACHE_WRITE])
            into[b + 1] += per_day(out * table[i_out])
        tokens_b[b] += per_day(priced_in)
        tokens_b[b + 1] += per_day(priced_out)
        if group.dense:
            currencies |= prices.currencies
            uses_unverified |= prices.any_unverified
        else:
            priced = prices.priced[sel]
            codes = np.unique(prices.schedule.currency_code[sel][priced])
            currencies.update(CURRENCIES[c] for c in codes)
            uses_unverified |= bool((prices.schedule.unverified[sel] & priced).any())
        if prices.any_note:
            notes |= _group_notes(schedules.catalog, prices, group, sel)
    native_currency = next(iter(currencies)) if len(currencies) == 1 else None
    if native_currency is None:
        native_b[:] = np.nan
    buckets = Buckets(
        models=np.repeat(np.array(targets, dtype=np.int64), 2),
        kinds=np.array(["input", "output"] * len(targets)),
        tokens=tokens_b,
        cost_display=display_b,
        cost_native=native_b,
        unpriced=unpriced_b,
    )
    return CandidateDays(
        buckets=buckets,
        tokens=token_days,
        unmapped_tokens=unmapped,
        priced_tokens=priced_tokens,
        cost_display_without_offers=display_b.sum(axis=0),
        native_currency=native_currency,
        sources=_source_days(rows, mappings, schedules, n_days, position),
        currencies=currencies,
        uses_unverified=uses_unverified,
        notes=notes,
        unpriced_before_offers=unpriced_b.copy(),
    )


def lacks(
    result: CandidateDays,
    mappings: dict[Source, Mapping],
    days: np.ndarray,
) -> tuple[list[Reason], dict[Source, float]]:
    """What a candidate cannot price after offers, per source, and those tokens (source units).

    A source whose model had no price on some days is still lacking on the days its bucket
    keeps unpriced tokens after the pools drew on them (share kept = after / before)."""
    reasons: list[Reason] = []
    missing: dict[Source, float] = {}
    before = result.unpriced_before_offers
    after = result.buckets.unpriced
    for source in sorted(result.sources):
        info = result.sources[source]
        mapping = mappings[source]
        if info.bucket is None:
            # no model (or, for the current provider at billed rates, no rate): what has no
            # price stays so, no pool covers it
            tokens = float(info.unpriced.sum())
            if tokens > 0.5:
                missing[source] = tokens
                reasons.append(Reason.of("lacks_model", source=source[1], reason=mapping.reason))
            continue
        if not info.unpriced.any():
            continue  # nothing unpriced before offers: nothing left after
        b = info.bucket
        rows_before = before[b] + before[b + 1]
        rows_after = after[b] + after[b + 1]
        kept = np.divide(rows_after, rows_before, out=np.zeros_like(rows_after), where=rows_before > 0)
        left = info.unpriced * kept / (info.ratio or 1.0)
        still = np.nonzero(left > 0.5)[0]  # under a token is float residue
        if len(still):
            missing[source] = float(left.sum())
            reasons.append(
                Reason.of(
                    "lacks_price",
                    source=source[1],
                    model=mapping.target_model_id,
                    first_day=day_from_number(days[still[0]]),
                    last_day=day_from_number(days[still[-1]]),
                )
            )
    return reasons, missing


def monthly_rows(
    candidate: str,
    result: CandidateDays,
    month_idx: np.ndarray,
    months: list,
) -> dict[str, object]:
    """Sum a candidate's days per month (columns of `monthly_frame`).

    A month whose tokens all lack a known cost costs NaN, not 0.
    """
    n = len(months)

    def per_month(values: np.ndarray) -> np.ndarray:
        return np.bincount(month_idx, weights=values, minlength=n)

    buckets = result.buckets
    known = per_month(result.known_tokens)
    unpriced = per_month(result.unpriced_tokens)
    no_price = (known <= 0) & (unpriced > 0)
    with_offers = np.where(no_price, np.nan, per_month(buckets.cost_display.sum(axis=0)))
    without = np.where(no_price, np.nan, per_month(result.cost_display_without_offers))
    if result.native_currency is None:
        native = np.full(n, np.nan)
    else:
        native = np.where(no_price, np.nan, per_month(buckets.cost_native.sum(axis=0)))
    return {
        "candidate": [candidate] * n,
        "month": months,
        **{name: per_month(values) for name, values in result.tokens.items()},
        "cost_native": native,
        "native_currency": [result.native_currency] * n,
        "cost_display": with_offers,
        "cost_display_without_offers": without,
        "free_tokens_used": per_month(buckets.free_tokens),
        "free_value_display": per_month(buckets.free_value_display),
        "unpriced_tokens": unpriced,
        # Months without any price add nothing rather than turning the running total NaN.
        "cost_display_cumulative": np.cumsum(np.nan_to_num(with_offers)),
    }


def monthly_frame(parts: list[dict[str, object]]) -> pd.DataFrame:
    """One frame from every candidate's `monthly_rows` (built once: cheaper than concat)."""
    if not parts:
        numeric = [c for c in MONTHLY_COLUMNS if c not in ("candidate", "month", "native_currency")]
        frame = pd.DataFrame(columns=list(MONTHLY_COLUMNS))
        return frame.astype({c: "float64" for c in numeric})
    columns = {}
    for name in MONTHLY_COLUMNS:
        values = [part[name] for part in parts]
        if isinstance(values[0], np.ndarray):
            columns[name] = np.concatenate(values)
        else:
            columns[name] = [v for chunk in values for v in chunk]
    return pd.DataFrame(columns, columns=list(MONTHLY_COLUMNS))
