"""Every scenario parameter is bounded: out-of-range values are a 400 naming the parameter
(JSON under /api/), never a 500; a repeated provider is compared once; no NaN or Infinity
ever reaches the JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard.test_projection_views import SWITCH, catalog, profile, scenario

pytestmark = pytest.mark.django_db


def projection_url(p) -> str:
    return reverse("api:projection", args=[p.pk])


@pytest.mark.parametrize(
    ("params", "parameter", "text"),
    [
        ({"switch": "9999-12-31", "horizon": "1"}, "switch", "2100-12-31"),
        ({"switch": "2014-12-31"}, "switch", "2015-01-01"),
        ({"currency": "CNY", "fx": "1e306"}, "fx", "1000"),
        ({"fx": "0"}, "fx", "0.01"),
        ({"fx": "nan"}, "fx", "finite"),
        ({"growth": "inf"}, "growth", "finite"),
        ({"horizon": "61"}, "horizon", "60"),
        ({"prompt": "99999999999"}, "prompt", "10000000"),
        ({"billed": "maybe"}, "billed", "'auto', '1' or '0'"),
        ({"provider": ["x"] * 201}, "provider", "at most 200"),
    ],
)
def test_out_of_range_parameters_are_a_json_400_naming_the_parameter(client: Client, params, parameter, text) -> None:
    catalog()
    p = profile()

    response = client.get(projection_url(p), params)

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Invalid parameters."
    assert set(body["errors"]) == {parameter}
    assert text in body["errors"][parameter]


@pytest.mark.parametrize(
    "params",
    [{"switch": "9999-12-31", "horizon": "1"}, {"currency": "CNY", "fx": "1e306"}],
    ids=["year 10000", "fx 1e306"],
)
@pytest.mark.parametrize("page", ["profiles:dashboard", "profiles:results_csv", "profiles:summary_csv"])
def test_the_pages_and_downloads_answer_400_too(client: Client, params, page) -> None:
    catalog()
    p = profile()

    response = client.get(reverse(page, args=[p.pk]), scenario(**params))

    assert response.status_code == 400
    assert ("2100-12-31" if "switch" in params else "1000") in response.content.decode()


def test_a_provider_named_twice_is_compared_once(client: Client) -> None:
    catalog()
    p = profile()

    twice = client.get(projection_url(p), {"switch": SWITCH, "horizon": "1", "provider": ["deepseek", "deepseek"]})
    once = client.get(projection_url(p), {"switch": SWITCH, "horizon": "1", "provider": ["deepseek"]})

    assert twice.status_code == 200
    assert twice.json()["scenario"]["providers"] == ["deepseek"]
    assert [s["candidate"] for s in twice.json()["summary"]] == ["current", "deepseek"]
    assert twice.json()["summary"] == once.json()["summary"]
    page = client.get(reverse("profiles:results_csv", args=[p.pk]), scenario(provider=["deepseek", "deepseek"]))
    assert page.status_code == 200


def test_the_largest_exchange_rate_allowed_gives_finite_json(client: Client) -> None:
    catalog()
    p = profile()

    response = client.get(projection_url(p), {"switch": SWITCH, "horizon": "1", "currency": "CNY", "fx": "1000"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Infinity" not in text and "NaN" not in text
    deepseek = next(s for s in json.loads(text)["summary"] if s["candidate"] == "deepseek")
    # 30.667M x (0.28 + 0.42) USD = $21.4667 at 1000 CNY per USD
    assert deepseek["total_display"] == pytest.approx(21_466.67, abs=1)


def test_the_page_url_query_string_works_as_is_on_the_api(client: Client) -> None:
    # A submitted dashboard form sends its empty fields too (fx=, prompt=).
    catalog()
    p = profile()

    response = client.get(projection_url(p), scenario(fx="", prompt="", billed="auto", elig="openai_migrants"))

    assert response.status_code == 200, response.content
    assert response.json()["scenario"]["fx_override"] is None


def test_the_api_never_answers_nan_or_infinity() -> None:
    from dashboard.api.errors import dumps

    text = dumps({"a": float("inf"), "b": [1.5, float("nan")], "c": {"d": -float("inf")}})

    assert json.loads(text) == {"a": None, "b": [1.5, None], "c": {"d": None}}
