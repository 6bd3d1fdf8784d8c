"""The catalogue admin's validation messages in a Chinese session (English unchanged)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from providers.models import Currency, LLMModel, MeterRule, Offer, Price
from providers.seed import SeedSummary

from .conftest import change_url, form_data

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}


def test_an_offer_clean_error_is_chinese_in_a_chinese_admin(seeded: SeedSummary, staff_client: Client) -> None:
    zhipu = Offer.objects.get(provider__slug="zhipu", name__endswith="GLM-4 tokens")
    url = change_url(zhipu)
    data = {**form_data(staff_client.get(url, **ZH)), "ends_on": "2024-06-01"}
    response = staff_client.post(url, data, **ZH)
    assert response.status_code == 200
    assert "活动的结束日期不能早于开始日期。" in response.content.decode()
    assert "The campaign cannot end before it starts." in staff_client.post(url, data).content.decode()


def test_an_overlapping_price_is_refused_in_chinese(seeded: SeedSummary, staff_client: Client) -> None:
    qwen_max = LLMModel.objects.get(provider__slug="alibaba", model_id="qwen-max")
    data = {
        "model": qwen_max.pk, "effective_from": "2024-06-01", "currency": Currency.CNY,
        "input_per_mtok": "30", "output_per_mtok": "90", "min_prompt_tokens": "0",
        "verification": "unverified",
    }
    response = staff_client.post(reverse("admin:providers_price_add"), data, **ZH)
    assert response.status_code == 200
    assert "与此模型同一上下文档位在 2024-05-21 – 2024-09-19 生效的价格重叠；请先结束那一行。" in response.content.decode()
    assert not Price.objects.filter(model=qwen_max, effective_from="2024-06-01").exists()


def test_a_bad_meter_pattern_is_refused_in_chinese(seeded: SeedSummary, staff_client: Client) -> None:
    data = {"bill": "azure", "pattern": "gpt(4o", "token_kind": "input", "priority": "100"}
    response = staff_client.post(reverse("admin:providers_meterrule_add"), data, **ZH)
    assert response.status_code == 200
    assert escape("'gpt(4o' 不是有效的正则表达式（missing ), unterminated subpattern at position 3）") in (
        response.content.decode()
    )
    english = staff_client.post(reverse("admin:providers_meterrule_add"), data).content.decode()
    assert escape("'gpt(4o' is not a valid regular expression (missing ), unterminated subpattern") in english
    assert not MeterRule.objects.filter(pattern="gpt(4o").exists()
