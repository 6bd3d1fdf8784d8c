"""Daily grouping: the fast bincount path and the exact arrow path agree."""

import numpy as np

from dashboard.engine.usage import read_usage
from dashboard.engine.usage.reader import _combined_key, _group_sums, _split_key

from .conftest import TODAY


def test_totals_beyond_float_precision_stay_exact():
    # 1,000 rows of 9,999,999,999,999 tokens = 9,999,999,999,999,000: above 2**53, where a
    # float64 sum would round, so the reader must take its exact integer path.
    row = "2026-10-01,gpt-4o,9999999999999,1\n"
    data = ("date,model,input_tokens,output_tokens\n" + row * 1000).encode()
    frame, _ = read_usage(data, today=TODAY)
    assert frame["tokens_input_uncached"].tolist() == [9_999_999_999_999_000]
    assert frame["tokens_output"].tolist() == [1000]


def test_bincount_and_hash_grouping_give_the_same_sums():
    rng = np.random.default_rng(7)
    key = rng.integers(0, 50, size=5000)
    values = {"a": rng.integers(0, 1000, size=5000), "b": rng.integers(0, 9, size=5000)}
    cost = np.where(key % 3 == 0, np.nan, rng.random(5000))
    fast_keys, fast_sums, fast_costs, fast_rows = _group_sums(key, 50, values, cost)
    slow_keys, slow_sums, slow_costs, slow_rows = _group_sums(key, None, values, cost)
    assert fast_rows is None and slow_rows is not None
    order = np.argsort(slow_keys)
    assert fast_keys.tolist() == slow_keys[order].tolist()
    for name in values:
        assert fast_sums[name].tolist() == slow_sums[name][order].tolist()
    assert np.allclose(fast_costs, slow_costs[order], equal_nan=True)
    # keys divisible by 3 never carry a cost: NaN, not 0
    assert np.isnan(fast_costs[fast_keys % 3 == 0]).all()


def test_combined_key_splits_back_into_its_parts():
    days = np.array([0, 3, 3, 1])
    models = np.array([2, 0, 0, 1])
    flags = np.array([True, False, False, True])
    key, space = _combined_key([(days, 4), (models, 3), (flags, 2)])
    assert space == 4 * 3 * 2
    # (day x 3 + model) x 2 + flag: (0+2)x2+1 = 5, (9+0)x2 = 18 twice, (3+1)x2+1 = 9
    assert key.tolist() == [5, 18, 18, 9]
    back = _split_key(key, [4, 3, 2])
    assert [part.tolist() for part in back] == [days.tolist(), models.tolist(), [1, 0, 0, 1]]


def test_combined_key_renumbers_instead_of_overflowing():
    big = 2**40
    first = np.array([5, big - 1, 5])
    second = np.array([big - 2, 1, big - 2])
    key, space = _combined_key([(first, big), (second, big), (second, big)])
    assert space is None
    assert key[0] == key[2] and key[0] != key[1]
