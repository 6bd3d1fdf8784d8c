"""What a worker process keeps between requests (dashboard/process_memo.py): bounded, least
recently used out first, and never older than the catalog it was made with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboard import profile_store
from dashboard.engine.usage import read_usage
from dashboard.process_memo import ProcessMemo
from providers.models import LLMModel, Price, Provider


def test_the_least_recently_used_entry_goes_first() -> None:
    memo: ProcessMemo[str] = ProcessMemo(2)
    memo.put("a", "A")
    memo.put("b", "B")
    assert memo.get("a") == "A"  # now "b" is the oldest
    memo.put("c", "C")
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == ("A", None, "C")
    assert memo.get_or_make("b", lambda: "made") == "made"
    assert memo.get("a") is None


@pytest.mark.django_db
def test_a_kept_usage_summary_follows_the_catalog() -> None:
    """An export's model unknown to the catalog is matched on the next request once an admin
    adds it (the summary kept for the profile was made with the old catalog)."""
    openai = Provider.objects.create(slug="openai", name="OpenAI", country="US", region="international",
                                     billing_currency="USD")  # fmt: skip
    frame, report = read_usage(
        b"date,model,input_tokens,output_tokens,provider\n2026-10-01,gpt-9-mini,1000,100,openai\n",
        filename="u.csv", today=dt.date(2026, 11, 29),
    )
    profile = profile_store.store_profile(frame, report, file_name="u.csv")
    before = profile_store.usage_summary(profile)
    assert before["totals"][0]["catalog_model"] is None
    assert profile_store.usage_summary(profile)["totals"][0]["catalog_model"] is None

    model = LLMModel.objects.create(provider=openai, model_id="gpt-9-mini", display_name="GPT-9 mini", tier="economy")
    Price.objects.create(model=model, effective_from=dt.date(2026, 1, 1), currency="USD",
                         input_per_mtok=Decimal("0.1"), output_per_mtok=Decimal("0.4"))  # fmt: skip

    assert profile_store.usage_summary(profile)["totals"][0]["catalog_model"] == "openai/gpt-9-mini"
