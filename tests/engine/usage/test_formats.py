"""Header versions and value quirks of each export format, one small file per case."""

import pandas as pd
import pytest

from dashboard.engine.usage import FORMATS, UsageFileError, read_usage

from .conftest import TODAY

D = pd.Timestamp
TOKENS = ["tokens_input_uncached", "tokens_cache_read", "tokens_cache_write", "tokens_output"]


def read(text: str):
    return read_usage(text.encode("utf-8"), filename="f.csv", today=TODAY)


def tokens(frame):
    return frame[TOKENS].values.tolist()


def test_formats_lists_every_reader_by_slug():
    assert set(FORMATS) == {
        "openai_activity", "openai_cost", "openai_legacy", "anthropic_tokens", "anthropic_cost",
        "openrouter_generations", "openrouter_activity", "litellm_spendlogs", "litellm_ui",
        "helicone", "azure_cost", "aws_cur", "gcp_billing", "focus", "langfuse", "generic",
    }


# --- OpenAI Activity ----------------------------------------------------------------------

OPENAI_SEP_2025 = (
    "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,"
    "api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,"
    "input_uncached_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,"
    "input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,input_image_tokens,"
    "input_cached_image_tokens,output_image_tokens\n"
)


def test_openai_activity_september_2025_header_without_cache_write_is_read():
    row = ("1759276800,1759363200,2025-10-01T00:00:00+00:00,2025-10-02T00:00:00+00:00,proj_,"
           "3.0,,,o1-mini-2024-09-12,False,default,5789342.0,1200.0,229120.0,5560222.0,"
           "5789342.0,1200.0,229120.0,0.0,0.0,0.0,0.0,0.0,0.0\n")
    frame, report = read(OPENAI_SEP_2025 + row)
    assert report.format == "openai_activity"
    # 5,789,342 input = 229,120 cached + 5,560,222 uncached (a real user's figures)
    assert tokens(frame) == [[5560222, 229120, 0, 1200]]
    assert frame["day"].tolist() == [D("2025-10-01")]


def test_openai_activity_cache_writes_are_taken_out_of_uncached_input():
    header = ("start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,batch,"
              "input_tokens,output_tokens,input_cached_tokens,input_cache_write_tokens\n")
    frame, _ = read(header + "1788134400,1788220800,a,b,2.0,gpt-5,True,1000.0,50.0,200.0,100.0\n")
    # 1000 input = 200 cached + 100 cache write + 700 uncached
    assert tokens(frame) == [[700, 200, 100, 50]]
    assert frame["batch"].tolist() == [True]


def test_openai_activity_rows_without_model_are_an_error():
    header = ("start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,"
              "input_tokens,output_tokens\n")
    with pytest.raises(UsageFileError) as caught:
        read(header + "1788134400,1788220800,a,b,2.0,,1000.0,50.0\n")
    assert str(caught.value) == (
        "f.csv, line 2, column 'model': the model is empty on a row with usage"
    )


# --- OpenAI Cost --------------------------------------------------------------------------

OPENAI_COST = (
    "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,"
    "quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,"
    "organization_name,user_email\n"
)


def test_openai_cost_tier_prefix_and_long_context_suffix_are_peeled_off():
    rows = (
        '1788134400,1788220800,2026-08-31T00:00:00,x,1.5,usd,100000.0,tokens,'
        '"priority | gpt-5.6-sol, output, long context",,,,,,,\n'
        '1788134400,1788220800,2026-08-31T00:00:00,x,0E-6176,usd,10.0,tokens,'
        '"gpt-5.6-sol, input",,,,,,,\n'
    )
    frame, report = read(OPENAI_COST + rows)
    assert frame["source_model"].tolist() == ["gpt-5.6-sol"]
    assert tokens(frame) == [[10, 0, 0, 100000]]
    # 1.5 + 0E-6176 (zero written in scientific notation)
    assert frame["reported_cost"].tolist() == [1.5]
    assert report.skipped == {}


def test_openai_cost_batch_prefix_marks_batch_usage():
    row = ('1788134400,1788220800,2026-08-31T00:00:00,x,0.01875,usd,250000.0,tokens,'
           '"batch | gpt-4o-mini-2024-07-18, input",,,,,,,\n')
    frame, _ = read(OPENAI_COST + row)
    assert frame["batch"].tolist() == [True]
    assert frame["source_model"].tolist() == ["gpt-4o-mini-2024-07-18"]


# --- OpenAI legacy and Groq -----------------------------------------------------------------


def test_groq_console_aliases_are_read_as_the_legacy_format():
    data = (
        "timestamp,model,num_requests,n_context_tokens_total,n_non_cached_context_tokens_total,"
        "n_generated_tokens_total,cost\n"
        "1788134400,llama-3.3-70b-versatile,4,1000,600,300,0.0012\n"
    )
    frame, report = read(data)
    assert report.format == "openai_legacy"
    # 1000 context = 600 not cached + 400 cached
    assert tokens(frame) == [[600, 0, 0, 300]]
    assert frame["requests"].tolist() == [4]
    assert frame["reported_cost"].tolist() == [0.0012]
    assert frame["source_provider"].tolist() == ["unknown"]


# --- Anthropic ---------------------------------------------------------------------------


def test_anthropic_mid_2025_header_with_batch_usage():
    data = (
        "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,"
        "usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,"
        "usage_input_tokens_cache_read,usage_output_tokens,web_search_count\n"
        "2025-06-12,claude-3-5-haiku-20241022,claude_code_key_user_abc,Claude Code,standard,"
        "8,0,0,0,1,0\n"
        "2025-06-12,claude-3-5-haiku-20241022,k,Default,batch,100,0,0,0,20,0\n"
    )
    frame, _ = read(data)
    assert frame["batch"].tolist() == [False, True]
    assert tokens(frame) == [[8, 0, 0, 1], [100, 0, 0, 20]]


def test_anthropic_2024_single_cache_write_column():
    data = (
        "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,"
        "usage_input_tokens_cache_write,usage_input_tokens_cache_read,usage_output_tokens\n"
        "2024-11-02,claude-3-5-sonnet-20241022,k,Default,standard,1000,300,5000,200\n"
    )
    frame, _ = read(data)
    assert tokens(frame) == [[1000, 5000, 300, 200]]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("usage_date_utc,model,workspace,api_key,usage_type,token_type,cost_usd",
         "2024-12-07,Claude 3.5 Sonnet 2024-10-22,,Stéphane,message,input_no_cache,0.05"),
        ("usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,"
         "list_price_usd,cost_type,inference_geo,speed",
         "2024-12-07,Claude 3.5 Sonnet 2024-10-22,Default,k,message,≤ 200k,output,0.05,0.05,"
         "token,global,"),
        ("usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,"
         "list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status",
         "2024-12-07,Claude 3.5 Sonnet 2024-10-22,Default,k,message,≤ 200k,output,0.05,0.05,"
         "token,us,fast,apikey_01,archived"),
    ],
)
def test_anthropic_cost_export_header_versions(header, row):
    frame, report = read(header + "\n" + row + "\n")
    assert report.format == "anthropic_cost"
    assert frame["source_model"].tolist() == ["Claude 3.5 Sonnet 2024-10-22"]
    assert frame["reported_cost"].tolist() == [0.05]
    assert frame["source_provider"].tolist() == ["anthropic"]


# --- OpenRouter ----------------------------------------------------------------------------


def test_openrouter_generation_export_without_cached_column_matches_by_name():
    # Dec 2025 order: model_permaslug at index 10 and no tokens_cached
    data = (
        "generation_id,created_at,cost_total,cost_web_search,cost_cache,cost_file_processing,"
        "byok_usage_inference,tokens_prompt,tokens_completion,tokens_reasoning,model_permaslug,"
        "provider_name,variant,cancelled\n"
        "gen-1,2025-12-16 10:00:00.000,0.01,0,0,0,0,500,100,0,openai/gpt-4.1,OpenAI,"
        "standard,false\n"
        "gen-2,2025-12-16 11:00:00.000,0.02,0,0,0,0,700,50,10,openai/gpt-4.1,OpenAI,"
        "standard,false\n"
    )
    frame, _ = read(data)
    # 500 + 700 prompt, 100 + 50 completion, two requests
    assert tokens(frame) == [[1200, 0, 0, 150]]
    assert frame["requests"].tolist() == [2]
    assert frame["reported_cost"].tolist() == pytest.approx([0.03])


# --- LiteLLM -------------------------------------------------------------------------------


def test_litellm_ui_daily_variant_without_models_records_unknown_model():
    data = (
        "Date,Tag,Tag ID,Spend ($),Requests,Successful Requests,Failed Requests,Total Tokens,"
        "Prompt Tokens,Completion Tokens\n"
        '2026-07-01,prod,tag-1,"2,000.5000",100,99,1,1500,1000,500\n'
    )
    frame, report = read(data)
    assert frame["source_model"].tolist() == ["unknown"]
    assert tokens(frame) == [[1000, 0, 0, 500]]
    assert frame["reported_cost"].tolist() == [2000.5]
    assert any("no model column" in warning for warning in report.warnings)


def test_litellm_spendlogs_from_an_older_database_without_status():
    data = (
        "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,"
        "startTime,endTime,model,custom_llm_provider\n"
        "r1,completion,abc,0.5,30,20,10,2025-03-01 10:00:00.000,2025-03-01 10:00:01.000,"
        "deepseek/deepseek-chat,\n"
    )
    frame, report = read(data)
    assert report.format == "litellm_spendlogs"
    # empty custom_llm_provider: the vendor comes from the model slug
    assert frame["source_provider"].tolist() == ["deepseek"]
    assert tokens(frame) == [[20, 0, 0, 10]]


# --- Helicone ------------------------------------------------------------------------------


def test_helicone_cost_usd_variant_is_read():
    data = (
        '"response_id","response_created_at","response_status","request_created_at",'
        '"request_body","request_properties","request_user_id","model","prompt_tokens",'
        '"completion_tokens","latency","cost_usd"\n'
        '"r1","2026-09-01T10:00:01Z","200","2026-09-01T10:00:00Z","{}","{}","u","gpt-4o",'
        '"100","10","5","0.00035"\n'
    )
    frame, report = read(data)
    assert report.format == "helicone"
    assert frame["reported_cost"].tolist() == [0.00035]


def test_helicone_json2csv_export_without_cost_uses_response_model():
    data = (
        "provider,request_id,request_created_at,request_body,request_prompt,request_model,"
        "model_override,request_path,request_user_id,request_properties,request_feedback,"
        "response_id,response_created_at,response_body,response_prompt,response_status,"
        "response_model,helicone_user,delay_ms,prompt_tokens,completion_tokens,total_tokens,"
        "feedback_id,feedback_created_at,feedback_rating\n"
        'OPENAI,q1,2025-02-03T04:05:06.789Z,"{""a"": 1}",,gpt-4o,,/v1/chat,u,{},,s1,'
        "2025-02-03T04:05:07.000Z,{},,200,gpt-4o-2024-08-06,,900,300,40,340,,,\n"
    )
    frame, report = read(data)
    assert frame["source_model"].tolist() == ["gpt-4o-2024-08-06"]
    assert frame["source_provider"].tolist() == ["openai"]
    assert tokens(frame) == [[300, 0, 0, 40]]
    assert report.has_reported_cost is False


def test_helicone_request_body_may_hold_newlines_inside_quotes():
    data = (
        '"response_id","response_created_at","response_status","request_created_at",'
        '"request_body","model","prompt_tokens","completion_tokens","cost"\n'
        '"r1","2026-09-01T10:00:01Z","200","2026-09-01T10:00:00Z","{""content"": ""line one\n'
        'line two""}","gpt-4o","100","10","0.001"\n'
    )
    frame, _ = read(data)
    assert tokens(frame) == [[100, 0, 0, 10]]


# --- Generic and value quirks -------------------------------------------------------------


def test_generic_headers_match_case_insensitively_in_any_order_with_extra_columns():
    data = ("Team,OUTPUT_TOKENS,Model,Notes,Input_Tokens,Date\n"
            "a, 5 ,  gpt-4o  ,x,10,2026-10-01\n")
    frame, _ = read(data)
    assert frame["source_model"].tolist() == ["gpt-4o"]
    assert tokens(frame) == [[10, 0, 0, 5]]


def test_generic_optional_columns_provider_batch_and_cache_write():
    data = (
        "date,model,input_tokens,output_tokens,cached_input_tokens,cache_write_tokens,requests,"
        "provider,batch\n"
        "2026-10-01,my-finetune,100,10,20,5,3,DeepSeek,true\n"
    )
    frame, _ = read(data)
    assert frame["source_provider"].tolist() == ["deepseek"]
    assert frame["batch"].tolist() == [True]
    assert tokens(frame) == [[100, 20, 5, 10]]
    assert frame["requests"].tolist() == [3]


def test_generic_chinese_amount_with_currency_column():
    data = "日期,模型,输入tokens,输出tokens,金额,币种,厂商\n2026-10-01,ernie-4.0,100,10,1.2,RMB,百度\n"
    frame, _ = read(data)
    assert frame["reported_currency"].tolist() == ["CNY"]
    assert frame["reported_cost"].tolist() == [1.2]
    assert frame["source_provider"].tolist() == ["百度"]


def test_generic_provider_is_inferred_from_model_prefixes():
    models = ["gpt-4o", "o3-mini", "claude-3-haiku", "deepseek-chat", "qwen-max", "glm-4",
              "ernie-4.0", "hunyuan-pro", "moonshot-v1-8k", "kimi-k2", "doubao-pro", "mystery"]
    data = "date,model,input_tokens,output_tokens\n" + "".join(
        f"2026-10-01,{model},1,1\n" for model in models
    )
    frame, _ = read(data)
    assert dict(zip(frame["source_model"], frame["source_provider"], strict=True)) == {
        "gpt-4o": "openai", "o3-mini": "openai", "claude-3-haiku": "anthropic",
        "deepseek-chat": "deepseek", "qwen-max": "alibaba", "glm-4": "zhipu",
        "ernie-4.0": "baidu", "hunyuan-pro": "tencent", "moonshot-v1-8k": "moonshot",
        "kimi-k2": "moonshot", "doubao-pro": "bytedance", "mystery": "unknown",
    }


def test_utf8_bom_all_quoted_values_and_thousands_separators():
    data = ('\ufeff"date","model","input_tokens","output_tokens"\n'
            '"2026-10-01","gpt-4o","1,234,567","2,000"\n')
    frame, _ = read(data)
    assert tokens(frame) == [[1234567, 0, 0, 2000]]


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("1788134400", "2026-08-31"),
        ("2026-08-31T23:30:00-05:00", "2026-09-01"),  # 04:30 UTC on the next day
        ("2026-08-31T01:30:00+08:00", "2026-08-30"),  # 17:30 UTC on the day before
        ("2026-08-31T10:00:00Z", "2026-08-31"),
        ("2026-08-31 10:00", "2026-08-31"),
        ("2026-08-31 10:00:00.123", "2026-08-31"),
        ("2026/08/31", "2026-08-31"),
    ],
)
def test_timestamps_become_the_utc_day(written, day):
    frame, _ = read(f"date,model,input_tokens,output_tokens\n{written},gpt-4o,1,1\n")
    assert frame["day"].tolist() == [D(day)]


def test_per_request_rows_become_daily_sums_per_model():
    data = "date,model,input_tokens,output_tokens,requests\n" + (
        "2026-10-01 09:00,gpt-4o,10,1,1\n"
        "2026-10-01 17:00,gpt-4o,20,2,1\n"
        "2026-10-01 18:00,gpt-4o-mini,5,5,1\n"
        "2026-10-02 00:00,gpt-4o,40,4,1\n"
    )
    frame, _ = read(data)
    assert frame[["source_model", "requests", "tokens_input_uncached"]].values.tolist() == [
        ["gpt-4o", 2, 30],  # 10 + 20
        ["gpt-4o-mini", 1, 5],
        ["gpt-4o", 1, 40],
    ]


def test_same_model_and_day_in_two_currencies_is_an_error():
    data = ("date,model,input_tokens,output_tokens,cost,currency\n"
            "2026-10-01,qwen-plus,1,1,1.0,USD\n2026-10-01,qwen-plus,1,1,7.0,CNY\n")
    with pytest.raises(UsageFileError, match="billed in more than one currency"):
        read(data)


def test_currency_spelled_in_lower_case_merges_with_upper_case():
    data = ("date,model,input_tokens,output_tokens,cost,currency\n"
            "2026-10-01,qwen-plus,1,1,1.0,usd\n2026-10-01,qwen-plus,2,1,2.0,USD\n")
    frame, _ = read(data)
    assert frame["reported_cost"].tolist() == [3.0]
    assert frame["tokens_input_uncached"].tolist() == [3]


def test_a_float_count_after_many_whole_numbers_is_still_read():
    # the first rows look like integers; row 82 is written as a float
    rows = "2026-10-01,gpt-4o,10,1\n" * 80 + "2026-10-01,gpt-4o,12.0,1\n"
    frame, _ = read("date,model,input_tokens,output_tokens\n" + rows)
    assert frame["tokens_input_uncached"].tolist() == [80 * 10 + 12]


def test_a_timestamp_after_many_bare_dates_is_still_read():
    rows = "2026-10-01,gpt-4o,10,1\n" * 80 + "2026-10-02 23:59:59,gpt-4o,5,1\n"
    frame, _ = read("date,model,input_tokens,output_tokens\n" + rows)
    assert frame["day"].tolist() == [D("2026-10-01"), D("2026-10-02")]
    assert frame["tokens_input_uncached"].tolist() == [800, 5]
