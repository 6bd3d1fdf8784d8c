"""The product in Simplified Chinese: language choice, the switcher, a complete catalogue, and
each translated area (pages, upload errors, engine reasons, charts, CSV, numbers, currency)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dashboard import csv_wording, reason_wording
from dashboard.engine import presentation
from dashboard.engine.reasons import WORDING, Reason
from dashboard.models import UsageProfile
from dashboard.templatetags.localised import big_tokens, chinese_count
from tests.dashboard.conftest import csv_file

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "dashboard" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _po_placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text)) | _placeholders(text.replace("%%", ""))


# -- the catalogue -------------------------------------------------------------------------


def test_every_message_of_the_catalogue_is_translated_and_none_is_fuzzy() -> None:
    po = polib.pofile(str(PO_FILE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert len(po) > 400
    assert untranslated == [], f"msgids without a translation: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy translations (check them, then remove the flag): {fuzzy[:10]}"


def test_every_translation_keeps_the_placeholders_of_its_message() -> None:
    po = polib.pofile(str(PO_FILE))
    broken = []
    for entry in po.translated_entries():
        msgstrs = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for msgstr in msgstrs:
            if _po_placeholders(entry.msgid) != _po_placeholders(msgstr):
                broken.append(entry.msgid)
    assert broken == []


def test_the_compiled_catalogue_is_what_the_po_says() -> None:
    """`compile_catalogs` (run by make run/test) writes the .mo the site reads."""
    with translation.override("zh-hans"):
        assert translation.gettext("Upload usage") == "上传用量"
        assert translation.pgettext("tier", "flagship") == "旗舰"


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="makemessages needs GNU gettext (installed in CI by .ci/run)",
)
def test_every_string_marked_in_the_source_is_in_the_catalogue(tmp_path: Path) -> None:
    """makemessages over a copy of the sources and catalogue adds no msgid: nothing marked in
    the code or templates is missing from the .po."""
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "static")
    for package in ("dashboard", "providers"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location", "-v", "0"],
        cwd=tmp_path, check=True, env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    locale = tmp_path / "dashboard" / "locale"
    ours = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO_FILE))}
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(locale / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    assert fresh - ours == set(), "run `manage.py makemessages -l zh_Hans` and translate the new strings"


def test_every_engine_reason_code_has_a_translatable_template_with_the_same_parameters() -> None:
    assert reason_wording.missing_codes() == set()
    for code, english in WORDING.items():
        assert _placeholders(str(reason_wording.TEMPLATES[code])) == _placeholders(english), code


def test_every_csv_column_has_a_translatable_header() -> None:
    assert csv_wording.missing_headers() == set()


# -- engine reasons and numbers ------------------------------------------------------------


def test_a_reason_code_is_worded_in_chinese_with_its_parameters_and_in_english_as_the_engine_does() -> None:
    reason = Reason.of("not_cheaper", source="gpt-4o-mini", model="qwen-plus")
    with translation.override("zh-hans"):
        assert reason_wording.word(reason) == "未领取：将 gpt-4o-mini 换成 qwen-plus 不会降低总费用"
        nested = Reason.of("lacks_model", source="gpt-4o", reason=Reason.of("tier_up", tier="flagship"))
        assert reason_wording.word(nested) == "gpt-4o：上调一档：旗舰"
        window = Reason.of("window_unknown", needed=4650)
        assert reason_wording.word(window) == "上下文窗口未知（没有已知可容纳 4,650 tokens 的模型）"
    with translation.override("en"):
        for item in (reason, nested, window):
            assert reason_wording.word(item) == item.english()


def test_large_token_counts_read_in_yi_and_wan_in_chinese_and_whole_in_english() -> None:
    assert chinese_count(120_000_000) == "1.2亿"
    assert chinese_count(50_000_000) == "5,000万"
    assert chinese_count(123_456_789) == "1.23亿"
    assert chinese_count(15_000) == "1.5万"
    assert chinese_count(9_500) == "9,500"
    with translation.override("zh-hans"):
        assert big_tokens(120_000_000) == "1.2亿"
        assert big_tokens(None) == "—"
    with translation.override("en"):
        assert big_tokens(120_000_000) == "120,000,000"


def test_engine_charts_are_english_by_default_and_chinese_through_translate() -> None:
    from dashboard.engine import charts

    english = charts.price_scatter([], "USD")
    assert english["title"] == "Input vs output price, USD per 1M tokens"
    with translation.override("zh-hans"):
        chinese = charts.price_scatter([], "CNY", translate=translation.gettext)
    assert chinese["title"] == "输入与输出价格，CNY/百万 tokens"
    assert chinese["empty"] == "没有价格大于零且符合筛选条件的模型，无图可画。"


# -- pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_browser_asking_for_zh_cn_gets_the_page_in_chinese_and_html_lang_set(client: Client, seeded) -> None:
    page = client.get(reverse("catalog"), **ZH).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "您的大模型用量在各家服务商实际要花多少钱？" in page
    assert "今日生效价格" in page
    assert 'value="en"' in page  # the switcher offers English
    english = client.get(reverse("catalog")).content.decode()
    assert '<html lang="en">' in english
    assert "What will your LLM workload really cost on each provider?" in english
    assert "简体中文" in english  # ...and the English page offers Chinese


@pytest.mark.django_db
def test_a_chinese_catalog_page_shows_prices_in_cny_unless_the_url_says_usd(client: Client, seeded) -> None:
    page = client.get(reverse("catalog"), **ZH).content.decode()
    assert "输入（CNY）" in page
    usd = client.get(reverse("catalog") + "?currency=USD", **ZH).content.decode()
    assert "输入（USD）" in usd
    assert "Input (USD)" in client.get(reverse("catalog")).content.decode()


@pytest.mark.django_db
def test_provider_offers_upload_estimate_and_404_pages_are_in_chinese(client: Client, seeded) -> None:
    expected = {
        reverse("provider_detail", args=["deepseek"]): "价格历史",
        reverse("offers"): "免费额度与促销优惠",
        reverse("profiles:upload"): "支持的格式",
        reverse("profiles:estimate"): "无文件估算",
        reverse("profiles:list"): "此浏览器还没有上传记录。",
    }
    for url, heading in expected.items():
        response = client.get(url, **ZH)
        assert response.status_code == 200, url
        assert heading in response.content.decode(), url
    missing = client.get("/no-such-page/", **ZH)
    assert missing.status_code == 404
    assert "此页面不存在" in missing.content.decode()


@pytest.mark.django_db
def test_the_switcher_sets_the_language_cookie_and_returns_to_the_same_url_and_scenario(client: Client, seeded) -> None:
    next_url = reverse("catalog") + "?tier=flagship&sort=-input"
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(next_url).content.decode()  # no Accept-Language: the cookie decides
    assert '<html lang="zh-hans">' in page
    # htmx fragments come back in the page's language too
    fragment = client.get(next_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "页" in fragment
    client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert '<html lang="en">' in client.get(next_url, **ZH).content.decode()  # the cookie wins


@pytest.mark.django_db
def test_an_upload_error_in_chinese_keeps_its_file_line_and_column(client: Client) -> None:
    content = "date,model,input_tokens,output_tokens\n2026-10-01,gpt-4o,10,5\n2026-10-02,gpt-4o,abc,5\n"
    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)}, **ZH)
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件未保存。" in page
    assert "usage.csv，第 3 行，“input_tokens”列：&#x27;abc&#x27; 不是数字" in page
    english = client.post(reverse("profiles:upload"), {"file": csv_file(content)}).content.decode()
    assert "usage.csv, line 3, column &#x27;input_tokens&#x27;: &#x27;abc&#x27; is not a number" in english
    assert not UsageProfile.objects.exists()


@pytest.mark.django_db
def test_a_form_error_and_a_flash_message_are_in_chinese(client: Client, seeded) -> None:
    response = client.post(reverse("profiles:estimate"), {"model": "openai/gpt-4o", "input_tokens": "12,5M"}, **ZH)
    assert response.status_code == 400
    assert "请输入整数 tokens 数，例如 120000000 或 120M。" in response.content.decode()
    response = client.post(reverse("profiles:sample"), follow=True, **ZH)
    assert "已载入 12 个月的 OpenAI 示例数据。" in response.content.decode()


@pytest.mark.django_db
def test_the_api_stays_english_for_a_chinese_client(client: Client, seeded) -> None:
    body = {"model": "openai/gpt-4o", "input_tokens": "12,5M", "output_tokens": 0}
    response = client.post("/api/estimates/", body, content_type="application/json", **ZH)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter a whole number of tokens" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), text


# -- the dashboard of the sample -----------------------------------------------------------


@pytest.fixture
def sample(client: Client, seeded) -> UsageProfile:
    client.post(reverse("profiles:sample"))
    return UsageProfile.objects.get()


SCENARIO = "?s=1&switch=2024-07-09&elig=openai_migrants&elig=new_customers"


@pytest.mark.django_db
def test_the_dashboard_in_chinese_words_results_reasons_and_charts_and_defaults_to_cny(client: Client, sample) -> None:
    page = client.get(reverse("profiles:dashboard", args=[sample.pk]) + SCENARIO, **ZH).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "费用预测" in page
    assert "2024-07-09 至 2025-07-08（12 个月）" in page
    assert "各服务商总费用排名（CNY，已计入优惠）" in page
    assert "每月费用，CNY，已计入优惠" in page  # a chart title, through the engine's translate
    assert "已领取" in page  # offer outcomes
    assert "¥" in page
    english = client.get(reverse("profiles:dashboard", args=[sample.pk]) + SCENARIO).content.decode()
    assert "From 2024-07-09 to 2025-07-08 (12 months)" in english
    assert "Monthly cost, USD, offers counted" in english
    usd = client.get(reverse("profiles:dashboard", args=[sample.pk]) + SCENARIO + "&currency=USD", **ZH)
    assert "每月费用，USD，已计入优惠" in usd.content.decode()


def _csv_header(response) -> list[str]:
    text = response.content.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_csv_headers_are_chinese_in_a_chinese_session_and_english_with_the_english_option(client: Client, sample) -> None:
    url = reverse("profiles:summary_csv", args=[sample.pk]) + SCENARIO
    chinese = _csv_header(client.get(url, **ZH))
    assert chinese[:4] == ["排名", "服务商", "候选服务商代码", "状态"]
    assert "使用的模型（及原因）" in chinese
    english = _csv_header(client.get(url + "&lang=en", **ZH))
    assert english == presentation.SUMMARY_COLUMNS
    assert _csv_header(client.get(url)) == presentation.SUMMARY_COLUMNS
    results = _csv_header(client.get(reverse("profiles:results_csv", args=[sample.pk]) + SCENARIO, **ZH))
    assert results[:2] == ["服务商", "候选服务商代码"]
    assert "缓存命中 tokens" in results


def test_every_usage_format_has_a_translatable_name() -> None:
    from dashboard import format_wording
    from dashboard.engine.estimate import FORMAT_LABEL
    from dashboard.engine.usage import FORMATS

    assert {*FORMATS.values(), FORMAT_LABEL} <= set(format_wording.LABELS)
    with translation.override("zh-hans"):
        assert format_wording.word_format(FORMATS["generic"]) == "通用用量 CSV（date、model、input_tokens、output_tokens）"
        assert format_wording.word_report_text("empty row") == "空行"


@pytest.mark.django_db
def test_the_admin_shows_verbose_names_and_help_texts_in_chinese(staff_client: Client) -> None:
    page = staff_client.get("/admin/providers/offer/add/", **ZH).content.decode()
    assert "公布的活动结束日期（含当日）；为空表示未公布。" in page  # a help text
    assert "中文名称" in page  # a verbose name
    assert "Published campaign end (inclusive)" in staff_client.get("/admin/providers/offer/add/").content.decode()


@pytest.mark.django_db
def test_pages_vary_on_the_language_inputs(client: Client, seeded) -> None:
    vary = client.get(reverse("offers")).headers["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


def test_the_500_page_is_in_the_language_of_the_request(rf) -> None:
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        page = server_error(rf.get("/")).content.decode()
    assert '<html lang="zh-hans">' in page and "服务器出错了" in page
    with translation.override("en"):
        assert "Something went wrong on our side" in server_error(rf.get("/")).content.decode()


@pytest.mark.django_db
def test_provider_and_model_chinese_names_on_a_chinese_page(client: Client, seeded) -> None:
    page = client.get(reverse("provider_detail", args=["alibaba"]), **ZH).content.decode()
    assert "<td>通义千问-Plus</td>" in page
    assert "<title>阿里云百炼 · TokenScope</title>" in page
    english = client.get(reverse("provider_detail", args=["alibaba"])).content.decode()
    assert "<td>Qwen Plus</td>" in english


@pytest.mark.django_db
def test_a_web_rate_limit_answer_is_in_the_page_language(client: Client, settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": "1/h"}
    client.post(reverse("profiles:upload"), {"file": csv_file("date,model,input_tokens,output_tokens\n")}, **ZH)
    refused = client.post(reverse("profiles:upload"), {"file": csv_file("x")}, **ZH)
    assert refused.status_code == 429
    assert refused.content.decode().startswith("请求过于频繁：每个客户端每小时最多 1 次上传；请 ")
