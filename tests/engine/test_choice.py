"""Offer-aware choice of replacement models: the offer model wins only when it lowers the
total, pools are shared between sources, free pools cover models without a price, and the
coordinate-descent search against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.engine import choice
from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, offer, price, provider, rate

JULY = D(2024, 7, 1)


def qwen_catalog(pool: int = 22_000_000):
    # Alibaba-style: the offer covers only the balanced qwen-plus, dearer than qwen-long.
    return catalog(
        [provider("openai"), provider("ali")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(2, "openai", "gpt-3.5-turbo", "economy"),
            model(10, "ali", "qwen-long", "economy"),
            model(11, "ali", "qwen-plus", "balanced"),
        ],
        [price(1, 0.15, 0.6), price(2, 0.5, 1.5), price(10, 0.5, 2.0), price(11, 4.0, 12.0)],
        [offer(1, "ali", tokens=pool, models=[11], eligibility="openai_migrants", name="22M")],
    )


def june(model_id: str, per_day: int):
    """June 2024, `per_day` input tokens a day: the same per month in July."""
    return daily_usage(D(2024, 6, 1), D(2024, 6, 30), model_id, tokens_input_uncached=per_day)


def ali(frame, cat=None, **scenario):
    result = project(
        frame,
        cat or qwen_catalog(),
        Scenario(switch_date=JULY, horizon_months=1, providers=("ali",), **scenario),
    )
    summary = next(s for s in result.summary if s.candidate == "ali")
    return summary, [o for o in result.offers if o.provider == "ali"]


def test_the_offer_model_wins_when_its_pool_makes_the_total_lower():
    # 10M input in July: qwen-plus is free within the 22M pool, qwen-long costs 10 x $0.50
    summary, (outcome,) = ali(june("gpt-4o-mini", 333_334))
    (mapping,) = summary.mappings
    assert mapping.target_model_id == "qwen-plus"
    assert (mapping.reason.code, str(mapping.reason)) == ("offer", "offer: 22M")
    assert summary.total_display == pytest.approx(0.0)
    assert outcome.applied and str(outcome.reason) == "claimed"


def test_the_offer_model_loses_when_the_pool_does_not_cover_enough():
    # 30M input: qwen-plus (30 - 22) x $4 = $32 against qwen-long 30 x $0.50 = $15
    summary, (outcome,) = ali(june("gpt-4o-mini", 1_000_000))
    (mapping,) = summary.mappings
    assert (mapping.target_model_id, mapping.reason.code) == ("qwen-long", "same_tier")
    assert summary.total_display == pytest.approx(15.0)
    assert not outcome.applied
    assert str(outcome.reason) == (
        "not claimed: moving gpt-4o-mini to qwen-plus would not lower the total"
    )
    # ... and says what would apply it, with the id the catalog API lists
    assert str(outcome.hint) == "map gpt-4o-mini to qwen-plus"
    assert outcome.hint.kwargs["target"] == "ali/qwen-plus"
    assert outcome.to_dict()["hint"]["source"] == "gpt-4o-mini"


def test_a_pool_is_shared_so_only_the_source_it_helps_most_moves():
    frame = june("gpt-4o-mini", 500_000)  # 15M in July
    other = june("gpt-3.5-turbo", 400_000)  # 12M in July
    summary, (outcome,) = ali(pd.concat([frame, other], ignore_index=True))
    targets = {m.source_model: m.target_model_id for m in summary.mappings}
    # long/long: 7.50 + 6.00; plus/long: 0 + 6.00 (15M inside the 22M pool);
    # long/plus: 7.50 + 0; plus/plus: 27M - 22M free = 5M x $4 = $20
    assert targets == {"gpt-4o-mini": "qwen-plus", "gpt-3.5-turbo": "qwen-long"}
    assert summary.total_display == pytest.approx(6.0)
    assert outcome.applied and outcome.pools[0].used == pytest.approx(15e6)


def glm_catalog(pool: int):
    # Zhipu-style: GLM-4-Air's price is only known from Aug 1; the pool covers it anyway.
    return catalog(
        [provider("openai"), provider("zhi")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(10, "zhi", "glm-3-turbo", "economy"),
            model(11, "zhi", "glm-4-air", "balanced"),
        ],
        [price(1, 0.15, 0.6), price(10, 1.0, 1.0), price(11, 1.0, 1.0, start=D(2024, 8, 1))],
        [offer(1, "zhi", tokens=pool, models=[11], eligibility="openai_migrants", name="Air")],
    )


def zhi(pool: int, **scenario):
    result = project(
        june("gpt-4o-mini", 1_000_000),
        glm_catalog(pool),
        Scenario(switch_date=JULY, horizon_months=2, providers=("zhi",), **scenario),
    )
    summary = next(s for s in result.summary if s.candidate == "zhi")
    return summary, [o for o in result.offers if o.provider == "zhi"]


def test_a_free_pool_covers_usage_on_a_model_without_a_price():
    # 30M in July (no price) + 30M in August, all inside the 100M pool: free and complete
    summary, (outcome,) = zhi(100_000_000)
    assert summary.mappings[0].target_model_id == "glm-4-air"
    assert summary.total_display == pytest.approx(0.0)
    assert not summary.has_unpriced and summary.rank == 1
    assert summary.free_tokens_used == pytest.approx(60e6)
    # 30M of those had no known price: they add nothing to the free tokens' value
    assert summary.free_value_display == pytest.approx(30.0)
    assert outcome.pools[0].used == pytest.approx(60e6)


def test_usage_left_after_a_pool_on_a_model_without_a_price_stays_unpriced():
    # A 20M pool would leave 10M of July without a price: glm-3-turbo (60M x $1) is kept
    summary, (outcome,) = zhi(20_000_000)
    assert summary.mappings[0].target_model_id == "glm-3-turbo"
    assert summary.total_display == pytest.approx(60.0)
    assert not outcome.applied
    # Mapped by hand, the pool is still drawn on the unpriced days; the rest is "no price"
    summary, (outcome,) = zhi(20_000_000, mapping_overrides=(("gpt-4o-mini", "zhi", 11),))
    assert outcome.applied and outcome.pools[0].used == pytest.approx(20e6)
    assert summary.free_tokens_used == pytest.approx(20e6)
    assert summary.free_value_display == pytest.approx(0.0)
    # July: 30M/31 a day; the pool lasts 20.67 days (used up on Jul 21), 10M stay unpriced;
    # August is paid at $1
    assert summary.unpriced_tokens == pytest.approx(10e6)
    assert summary.total_display == pytest.approx(30.0)
    assert summary.rank is None and summary.has_unpriced
    assert [str(r) for r in summary.lacks] == [
        "gpt-4o-mini → glm-4-air: no price from 2024-07-21 to 2024-07-31"
    ]


# -- the search against brute force (the descent is forced by EXHAUSTIVE_LIMIT = 0) -------------------------------------------------------

TIERS = ("flagship", "balanced", "economy")


@st.composite
def problems(draw):
    n_models = draw(st.integers(3, 5))
    models = [model(1, "openai", "src-a", "balanced"), model(2, "openai", "src-b", "economy"),
              model(3, "openai", "src-c", "economy")]
    prices = [price(1, 1.0, 1.0), price(2, 1.0, 1.0), price(3, 1.0, 1.0)]
    for i in range(n_models):
        key = 10 + i
        models.append(model(key, "p", f"m{i}", draw(st.sampled_from(TIERS))))
        inp = draw(st.floats(0.1, 10.0))
        if draw(st.booleans()) or i == 0:
            prices.append(price(key, inp, inp * draw(st.floats(1.0, 4.0))))
    offers = []
    for k in range(draw(st.integers(1, 3))):
        covered = draw(st.sets(st.integers(10, 9 + n_models), min_size=1, max_size=3))
        offers.append(
            offer(
                k + 1,
                "p",
                tokens=draw(st.integers(1, 60)) * 1_000_000,
                models=covered,
                per_model=draw(st.booleans()),
                kind=draw(st.sampled_from(["input", "output", "both"])),
                valid_days=draw(st.sampled_from([None, 20, 45])),
            )
        )
    volumes = [draw(st.integers(1, 20)) * 100_000 for _ in range(3)]
    return catalog([provider("openai"), provider("p")], models, prices, offers), volumes


def captured(frame, cat, monkeypatch, providers, horizon=2):
    """The arguments `choice.search` gets for the first candidate provider of a projection."""
    calls = []
    real = choice.search

    def spy(problem, options, fixed, keys):
        calls.append((problem, options, fixed, keys))
        return real(problem, options, fixed, keys)

    monkeypatch.setattr(choice, "search", spy)
    project(
        frame,
        cat,
        Scenario(switch_date=JULY, horizon_months=horizon, providers=providers,
                 eligibility=frozenset({"openai_migrants"})),
    )
    monkeypatch.setattr(choice, "search", real)
    return calls[0]


def captured_search(cat, volumes, monkeypatch):
    frames = [
        daily_usage(D(2024, 6, 1), D(2024, 6, 30), f"src-{name}", tokens_input_uncached=v,
                    tokens_output=v // 2)
        for name, v in zip("abc", volumes, strict=True)
    ]
    return captured(pd.concat(frames, ignore_index=True), cat, monkeypatch, ("p",))


def brute_force(problem, options, fixed, keys):
    sources = list(options)
    scores = []
    for combo in itertools.product(*(options[s] for s in sources)):
        assignment = {**fixed, **dict(zip(sources, combo, strict=True))}
        scores.append(choice._State(problem, assignment, keys).score())
    return min(scores, key=lambda s: (round(s[0]), s[1]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(problem_case=problems())
def test_the_descent_is_never_worse_than_the_no_offer_choice_and_a_local_optimum(
    problem_case, monkeypatch
):
    cat, volumes = problem_case
    problem, options, fixed, keys = captured_search(cat, volumes, monkeypatch)
    monkeypatch.setattr(choice, "EXHAUSTIVE_LIMIT", 0)  # force the heuristic
    found = choice.search(problem, options, fixed, keys)
    found_score = choice._State(problem, found, keys).score()
    start = {**fixed, **{s: o[0] for s, o in options.items()}}
    assert not choice.better(choice._State(problem, start, keys).score(), found_score)
    for source, opts in options.items():
        for model_key in opts:
            moved = choice._State(problem, {**found, source: model_key}, keys).score()
            assert not choice.better(moved, found_score)
    best = brute_force(problem, options, fixed, keys)
    # Within 5% of the brute-force optimum on these small cases (and never better than it)
    assert found_score[0] <= best[0] + 0.5 or found_score[0] > best[0]
    if abs(found_score[0] - best[0]) <= 0.5:
        assert found_score[1] <= best[1] * 1.05 + 1e-9


def test_the_exhaustive_search_finds_the_brute_force_optimum(monkeypatch):
    rng = np.random.default_rng(5)
    for _ in range(5):
        cat = qwen_catalog(int(rng.integers(5, 40)) * 1_000_000)
        volumes = [int(v) for v in rng.integers(1, 20, 3) * 100_000]
        frames = [june("gpt-4o-mini", volumes[0]), june("gpt-3.5-turbo", volumes[1])]
        problem, options, fixed, keys = captured(pd.concat(frames, ignore_index=True), cat,
                                                 monkeypatch, ("ali",), horizon=1)
        found = choice._State(problem, choice.search(problem, options, fixed, keys), keys).score()
        assert found == pytest.approx(brute_force(problem, options, fixed, keys))


def test_the_search_scores_the_figures_the_projection_shows(monkeypatch):
    # token ratios, a per-model pool, a credit and an output-only pool: the search's own
    # score of the chosen assignment equals the total the projection reports
    cat = catalog(
        [provider("openai"), provider("p", "CNY")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(10, "p", "p-small", "economy", ratio=1.3),
            model(11, "p", "p-mid", "balanced", ratio=0.8),
        ],
        [
            price(1, 0.15, 0.6),
            price(10, 2.0, 6.0, currency="CNY"),
            price(11, 4.0, 12.0, currency="CNY", end=D(2024, 7, 20)),
            price(11, 3.0, 9.0, currency="CNY", start=D(2024, 7, 20)),
        ],
        [
            offer(1, "p", tokens=9_000_000, models=[11], per_model=True),
            offer(2, "p", credit=30.0, credit_currency="CNY", models=[10, 11]),
            offer(3, "p", tokens=2_000_000, kind="output", models=[10], valid_days=20),
        ],
        rates=[rate(D(2024, 1, 1), 7.0), rate(D(2024, 7, 15), 7.2)],
    )
    frame = daily_usage(D(2024, 6, 1), D(2024, 6, 30), "gpt-4o-mini",
                        tokens_input_uncached=300_000, tokens_output=100_000)
    problem, options, fixed, keys = captured(frame, cat, monkeypatch, ("p",), horizon=2)
    chosen = choice.search(problem, options, fixed, keys)
    unpriced, cost = choice._State(problem, chosen, keys).score()
    result = project(frame, cat, Scenario(switch_date=JULY, horizon_months=2, providers=("p",),
                                          eligibility=frozenset({"openai_migrants"})))
    summary = next(s for s in result.summary if s.candidate == "p")
    assert summary.mappings[0].target_key == chosen[("openai", "gpt-4o-mini")]
    assert cost == pytest.approx(summary.total_display)
    assert unpriced == pytest.approx(summary.unpriced_tokens, abs=1e-6)


def test_scoring_per_pool_component_equals_drawing_every_pool_at_once(monkeypatch):
    # Offer 1 (shared by 10 and 11) and offer 2 (shared by 11 and 12) join 10-12 in one
    # component; 13 has a credit (offer 3) and its own pool of offer 4, which has a pool per
    # model (so 12's does not join it): a component of its own. The search adds up
    # per-component draws: on every assignment that must equal drawing all pools at once.
    cat = catalog(
        [provider("openai"), provider("p")],
        [
            model(1, "openai", "src-a", "economy"),
            model(2, "openai", "src-b", "economy"),
            model(3, "openai", "src-c", "economy"),
            *(model(k, "p", f"m{k}", "economy") for k in (10, 11, 12, 13)),
        ],
        [price(k, 1.0, 1.0) for k in (1, 2, 3)]
        + [price(10, 1.0, 3.0), price(11, 2.0, 2.0), price(12, 0.5, 4.0), price(13, 1.5, 1.5)],
        [
            offer(1, "p", tokens=20_000_000, models=[10, 11]),
            offer(2, "p", tokens=5_000_000, models=[11, 12], kind="input", valid_days=20),
            offer(3, "p", credit=3.0, models=[13]),
            offer(4, "p", tokens=4_000_000, models=[12, 13], per_model=True, kind="output"),
        ],
    )
    problem, _, _, keys = captured_search(cat, [300_000, 500_000, 200_000], monkeypatch)
    component = problem.component
    assert component[10] == component[11] == component[12] != component[13]
    sources = sorted(keys)
    for combo in itertools.product((10, 11, 12, 13), repeat=len(sources)):
        assignment = dict(zip(sources, combo, strict=True))
        sums = {}
        for source, model_key in assignment.items():
            sig = problem.signature[model_key]
            pair = problem.pair(source, model_key, keys[source])
            sums[sig] = sums[sig] + pair if sig in sums else pair
        expected = problem.drawn(sums)
        assert choice._State(problem, assignment, keys).score() == pytest.approx(expected, rel=1e-12)
    # ... and a move scored from a state's sums (plus / minus one pair) scores the same as the
    # assignment it leads to, however many moves came before
    state = choice._State(problem, dict.fromkeys(sources, 10), keys)
    for source, model_key in itertools.product(sources, (11, 12, 13, 10, 12)):
        if state.assignment[source] == model_key:
            continue
        problem._component_scores.clear()  # score the move from the state's sums...
        score, moved = state.with_move(source, model_key)
        problem._component_scores.clear()  # ... and the assignment from its pairs
        target = choice._State(problem, {**state.assignment, source: model_key}, keys)
        assert score == pytest.approx(target.score(), rel=1e-12)
        state.move(source, model_key, moved)
