"""The usage readers' errors and warnings and the engine's scenario errors in a Chinese session:
worded in Chinese with their file name, line and column, and exactly as before in English;
the JSON API stays English."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from dashboard.models import UsageProfile
from tests.dashboard.conftest import csv_file

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
GENERIC_HEADER = "date,model,input_tokens,output_tokens\n"
LANGFUSE_HEADER = "id,traceId,type,model,startTime,usageDetails\n"
FOCUS_HEADER = "ChargePeriodStart,BilledCost,ConsumedQuantity,ChargeCategory,BillingCurrency,ServiceName"

# (file content, the Chinese message, the English message as the readers have always worded it)
UPLOAD_ERRORS = {
    "empty file": ("\n\n", "usage.csv：文件为空", "usage.csv: the file is empty"),
    "header only": (
        GENERIC_HEADER,
        "usage.csv：文件只有表头，没有数据行",
        "usage.csv: the file has a header but no data rows",
    ),
    "missing column": (
        "date,model,input_tokens\n2026-10-01,gpt-4o,10\n",
        "usage.csv：此文件看起来是通用用量 CSV（date、model、input_tokens、output_tokens），"
        "但缺少以下列：output_tokens",
        "usage.csv: this file looks like the Generic usage CSV (date, model, input_tokens, "
        "output_tokens), but it is missing column(s): output_tokens",
    ),
    "field count": (
        GENERIC_HEADER + "2026-10-01,gpt-4o,10,5\n2026-10-02,gpt-4o,10,5,7\n",
        "usage.csv：第 3 行有 5 个字段，表头有 4 个",
        "usage.csv: line 3 has 5 fields, the header has 4",
    ),
    "bad number": (
        GENERIC_HEADER + "2026-10-01,gpt-4o,10,5\n2026-10-02,gpt-4o,10,1.5e\n",
        "usage.csv，第 3 行，“output_tokens”列：'1.5e' 不是数字",
        "usage.csv, line 3, column 'output_tokens': '1.5e' is not a number",
    ),
    "semicolons": (
        "date;model;input_tokens;output_tokens\n2026-10-01;gpt-4o;10;5\n",
        "实际的列：date;model;input_tokens;output_tokens（各值似乎以分号分隔：请另存为逗号分隔的 CSV）",
        "found columns: date;model;input_tokens;output_tokens (values seem separated by "
        "semicolons: save the file as comma-separated CSV)",
    ),
    "langfuse usage not JSON": (
        LANGFUSE_HEADER + 'o1,t1,GENERATION,gpt-4o,2026-10-01T10:00:00Z,"{""input"": 10}"\n'
        "o2,t1,GENERATION,gpt-4o,2026-10-01T11:00:00Z,not json\n",
        "usage.csv，第 3 行，“usageDetails”列：不是记录 tokens 数的 JSON 对象",
        "usage.csv, line 3, column 'usageDetails': is not a JSON object of token counts",
    ),
    "langfuse every row skipped": (
        LANGFUSE_HEADER + "o1,t1,SPAN,,2026-10-01T10:00:00Z,\no2,t1,EVENT,,2026-10-01T11:00:00Z,\n",
        "usage.csv：没有用量行：所有行都被跳过了（不是生成记录（span、event 等）：2）",
        "usage.csv: no usage rows: every row was skipped (not a generation (span, event...): 2)",
    ),
    "FOCUS without meter": (
        FOCUS_HEADER + "\n2026-10-01,1.5,1000,Usage,USD,Azure OpenAI\n",
        "usage.csv：FOCUS 文件没有 SkuMeter 或 ChargeDescription 列：无法得知每行的计量项",
        "usage.csv: FOCUS file without SkuMeter or ChargeDescription: the meter of each line is "
        "unknown",
    ),
    "cloud bill in EUR": (
        FOCUS_HEADER + ",SkuMeter\n2026-10-01,1.5,1000,Usage,USD,Azure OpenAI,gpt-4o input tokens\n"
        "2026-10-02,1.5,1000,Usage,EUR,Azure OpenAI,gpt-4o input tokens\n",
        "usage.csv，第 3 行，“BillingCurrency”列：'EUR' 不是 USD 或 CNY：TokenScope 只用这两种币种比较费用",
        "usage.csv, line 3, column 'BillingCurrency': 'EUR' is not USD or CNY: TokenScope compares "
        "costs in those two currencies only",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", UPLOAD_ERRORS)
def test_a_reader_error_is_chinese_in_a_chinese_session_and_unchanged_in_english(client: Client, case: str) -> None:
    content, chinese, english = UPLOAD_ERRORS[case]
    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)}, **ZH)
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件未保存。" in page
    assert escape(chinese) in page
    assert escape(english) not in page
    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})
    assert response.status_code == 400
    assert escape(english) in response.content.decode()
    assert not UsageProfile.objects.exists()


@pytest.mark.django_db
def test_the_api_words_a_reader_error_in_english_for_a_chinese_client(client: Client) -> None:
    content, _, english = UPLOAD_ERRORS["langfuse every row skipped"]
    response = client.post("/api/profiles/", {"file": csv_file(content)}, **ZH)
    assert response.status_code == 400
    assert response.json()["error"] == english


# -- warnings with parameters --------------------------------------------------------------

REPEATED = GENERIC_HEADER.strip() + ",note,note\n2026-10-01,gpt-4o,1000,500,a,b\n2026-10-02,gpt-4o,1000,500,c,d\n"
REPEATED_ENGLISH = (
    "the header names column 'note' 2 times (columns 5, 6); it is not read, so this changes nothing"
)
REPEATED_CHINESE = "表头中列名 'note' 出现了 2 次（第 5, 6 列）；该列不会被读取，因此没有影响"


def _warnings(page: str) -> str:
    match = re.search(r'<ul id="report-warnings">(.*?)</ul>', page, re.S)
    assert match, "no warnings on the page"
    return match.group(1)


@pytest.mark.django_db
def test_a_warning_with_parameters_is_chinese_on_the_dashboard_and_english_in_the_api(client: Client, seeded) -> None:
    response = client.post(reverse("profiles:upload"), {"file": csv_file(REPEATED)}, **ZH)
    assert response.status_code == 302
    profile = UsageProfile.objects.get()
    url = reverse("profiles:dashboard", args=[profile.pk])
    assert escape(REPEATED_CHINESE) in _warnings(client.get(url, **ZH).content.decode())
    assert escape(REPEATED_ENGLISH) in _warnings(client.get(url).content.decode())
    api = client.get(reverse("api:profile", args=[profile.pk]), **ZH).json()
    assert api["warnings"] == [REPEATED_ENGLISH]


@pytest.mark.django_db
def test_a_profile_stored_with_plain_english_warnings_still_renders(client: Client, seeded) -> None:
    client.post(reverse("profiles:upload"), {"file": csv_file(REPEATED)})
    profile = UsageProfile.objects.get()
    # as profiles were stored before warnings kept their templates
    report = dict(profile.report)
    report.pop("warning_wording", None)
    report["warnings"] = [
        REPEATED_ENGLISH,
        "the file is not UTF-8; it was read as Chinese GB18030/GBK text",
        "cloud bill: request counts are not in this file",
    ]
    UsageProfile.objects.filter(pk=profile.pk).update(report=report)
    response = client.get(reverse("profiles:dashboard", args=[profile.pk]), **ZH)
    assert response.status_code == 200
    warnings = _warnings(response.content.decode())
    assert escape(REPEATED_ENGLISH) in warnings  # its parameters are unknown: as it was written
    assert "文件不是 UTF-8，已按中文 GB18030/GBK 编码读取" in warnings
    assert "云账单：文件中没有请求次数" in warnings
    english = _warnings(client.get(reverse("profiles:dashboard", args=[profile.pk])).content.decode())
    assert "cloud bill: request counts are not in this file" in english


# -- the scenario form ---------------------------------------------------------------------


@pytest.fixture
def sample(client: Client, seeded) -> UsageProfile:
    client.post(reverse("profiles:sample"))
    return UsageProfile.objects.get()


def _scenario_errors(page: str) -> str:
    match = re.search(r'<div class="error-box" id="scenario-errors".*?</div>', page, re.S)
    assert match, "no scenario errors on the page"
    return match.group(0)


@pytest.mark.django_db
def test_scenario_bound_errors_are_chinese_in_the_form(client: Client, sample) -> None:
    url = reverse("profiles:dashboard", args=[sample.pk])
    errors = _scenario_errors(client.get(url + "?s=1&fx=5000&switch=2101-01-01", **ZH).content.decode())
    assert "部分场景参数无效，未进行计算：" in errors
    assert "确保该值小于或等于1000.0。" in errors
    assert "确保该值小于或等于2100-12-31。" in errors
    english = _scenario_errors(client.get(url + "?s=1&fx=5000").content.decode())
    assert "Ensure this value is less than or equal to 1000.0." in english


@pytest.mark.django_db
def test_the_engines_own_scenario_error_is_chinese_in_the_form_and_english_in_the_api(client: Client, sample) -> None:
    """Past 200 mappings the engine (not a form field) refuses the scenario."""
    query = "?s=1&" + "&".join(f"map=m{i}::openai/gpt-4o" for i in range(201))
    url = reverse("profiles:dashboard", args=[sample.pk]) + query
    response = client.get(url, **ZH)
    assert response.status_code == 400
    assert "最多 200 个服务商和 200 个模型映射。" in _scenario_errors(response.content.decode())
    english = _scenario_errors(client.get(url).content.decode())
    assert "At most 200 providers and 200 mappings." in english
    api = client.get(reverse("api:projection", args=[sample.pk]) + query, **ZH)
    assert api.status_code == 400
    text = api.content.decode()
    assert "at most 200" in text  # the API's own bound, in English
    assert not re.search(r"[\u4e00-\u9fff]", text), text


# -- other pages a Chinese session reaches -------------------------------------------------


@pytest.mark.django_db
def test_a_background_upload_words_its_status_and_error_in_the_page_language(
    client: Client, background, django_capture_on_commit_callbacks
) -> None:
    content = GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n" * 5 + "2026-10-02,gpt-4o,1,-5\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("profiles:upload"), {"file": csv_file(content)}, **ZH)
    page = client.get(response["Location"], **ZH)
    assert page.status_code == 400
    html = page.content.decode()
    assert "<title>正在读取 usage.csv · TokenScope</title>" in html
    assert "文件未保存。" in html
    assert "usage.csv，第 7 行，“output_tokens”列：-5 是负数" in html
    assert "上传其他文件" in html
    english = client.get(response["Location"]).content.decode()
    assert "usage.csv, line 7, column &#x27;output_tokens&#x27;: -5 is negative" in english
    assert "Upload another file" in english


@pytest.mark.django_db
def test_a_queued_background_upload_says_so_in_chinese(client: Client, background) -> None:
    response = client.post(reverse("profiles:upload"), {"file": csv_file(REPEATED)}, **ZH)
    html = client.get(response["Location"], **ZH).content.decode()
    assert "等待后台处理" in html
    assert "大文件在后台读取" in html
    assert "Waiting for a worker" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_server_error_of_a_background_upload_is_worded_in_chinese(client: Client) -> None:
    from dashboard.models import UploadJob
    from dashboard.upload_jobs import SERVER_ERROR

    client.post(reverse("profiles:sample"))  # gives the browser a session
    job = UploadJob.objects.create(
        session_key=client.session.session_key, file_name="big.csv", spool_path="/nonexistent",
        state=UploadJob.State.FAILED, error=SERVER_ERROR, error_status=500,
    )
    page = client.get(reverse("profiles:upload_status", args=[job.pk]), **ZH).content.decode()
    assert "服务器出错，文件未能保存，也没有保留任何数据。请稍后再试。" in page


@pytest.mark.django_db
def test_the_other_models_of_a_big_usage_summary_are_chinese(client: Client, settings) -> None:
    from tests.dashboard.test_many_models import catalog, many_models_profile, scenario

    settings.DASHBOARD_TOP_MODELS = 2
    catalog()
    profile = many_models_profile()
    url = reverse("profiles:dashboard", args=[profile.pk])
    html = client.get(url, scenario(), **ZH).content.decode()
    assert "其他 2 个模型</b>" in html and "（见下方列表）" in html
    assert "其他 2 个模型（tokens 较少）" in html
    others = html[html.index('id="other-model-totals"') :]
    assert "<th scope=\"col\">Provider</th>" not in others
    english = client.get(url, scenario()).content.decode()
    assert "2 other models</b>" in english and "2 other models (fewer tokens)" in english
