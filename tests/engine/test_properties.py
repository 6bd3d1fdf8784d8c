"""Properties of the engine that must hold for any usage and offer sizes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, model, offer, price, provider, rate, usage

counts = st.integers(min_value=0, max_value=10**10)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(offers):
    return catalog(
        [provider("openai"), provider("sense", "CNY")],
        [
            model(1, "openai", "gpt-4o", "flagship"),
            model(2, "openai", "mini", "economy"),
            model(10, "sense", "big", "flagship", ratio=1.3),
            model(11, "sense", "small", "economy"),
        ],
        [
            price(1, 2.5, 10.0, cache_read_per_mtok=1.25),
            price(2, 0.15, 0.6),
            price(10, 4.0, 16.0, currency="CNY", end=D(2024, 9, 1)),
            price(10, 2.0, 8.0, currency="CNY", start=D(2024, 9, 1)),
            price(11, 0.0, 0.0, currency="CNY"),
        ],
        offers,
        rates=[rate(D(2024, 1, 1), 7.1), rate(D(2024, 8, 15), 7.3)],
    )


def frame_of(values):
    big_in, big_cached, big_out, mini_in, mini_out = values
    return usage(
        [
            {
                "day": D(2024, 6, 1),
                "source_model": "gpt-4o",
                "requests": 1,
                "tokens_input_uncached": big_in,
                "tokens_cache_read": big_cached,
                "tokens_output": big_out,
            },
            {
                "day": D(2024, 6, 30),
                "source_model": "mini",
                "tokens_input_uncached": mini_in,
                "tokens_output": mini_out,
            },
        ]
    )


offer_lists = st.lists(
    st.builds(
        lambda i, size, kind, per_model, valid, credit: offer(
            i,
            "sense",
            tokens=None if credit else size,
            credit=float(size % 5000 + 1) if credit else None,
            credit_currency="CNY" if credit else None,
            kind=kind,
            per_model=per_model,
            valid_days=valid,
        ),
        st.integers(min_value=1, max_value=10**6),
        st.integers(min_value=1, max_value=10**10),
        st.sampled_from(["input", "output", "both"]),
        st.booleans(),
        st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
        st.booleans(),
    ),
    max_size=4,
    unique_by=lambda o: o.key,
)

SCENARIO = Scenario(
    switch_date=D(2024, 7, 20), horizon_months=5, growth_pct=7, providers=("sense", "openai")
)


@SETTINGS
@given(st.tuples(counts, counts, counts, counts, counts), offer_lists)
def test_cost_is_never_negative(values, offers):
    monthly = project(frame_of(values), build(offers), SCENARIO).monthly
    for column in ("cost_display", "cost_display_without_offers", "cost_native"):
        assert (monthly[column].fillna(0).to_numpy() >= 0).all()


@SETTINGS
@given(st.tuples(counts, counts, counts, counts, counts), offer_lists)
def test_cost_with_offers_never_exceeds_cost_without(values, offers):
    monthly = project(frame_of(values), build(offers), SCENARIO).monthly
    with_offers = monthly["cost_display"].fillna(0).to_numpy()
    without = monthly["cost_display_without_offers"].fillna(0).to_numpy()
    assert (with_offers <= without * (1 + 1e-12) + 1e-9).all()


@SETTINGS
@given(st.tuples(counts, counts, counts, counts, counts), offer_lists)
def test_free_tokens_used_never_exceed_pool_sizes(values, offers):
    result = project(frame_of(values), build(offers), SCENARIO)
    for outcome in result.offers:
        for pool in outcome.pools:
            assert 0 <= pool.used <= pool.size * (1 + 1e-12)


@SETTINGS
@given(st.tuples(counts, counts, counts, counts, counts))
def test_doubling_usage_without_offers_doubles_cost(values):
    once = project(frame_of(values), build([]), SCENARIO).monthly
    twice = project(frame_of(tuple(2 * v for v in values)), build([]), SCENARIO).monthly
    np.testing.assert_allclose(
        twice["cost_display"].fillna(0).to_numpy(),
        2 * once["cost_display"].fillna(0).to_numpy(),
        rtol=1e-9,
        atol=1e-9,
    )
