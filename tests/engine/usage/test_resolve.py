from dashboard.engine.usage.resolve import candidate_keys, resolve_models


def test_plain_snapshot_id_tries_itself_then_the_family():
    assert candidate_keys("gpt-4o-2024-08-06") == ["gpt-4o-2024-08-06", "gpt-4o"]


def test_keys_are_lower_cased_and_stripped():
    assert candidate_keys("  GPT-4o-Mini-2024-07-18 ") == ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"]


def test_gateway_prefix_is_dropped_before_the_snapshot_date():
    assert candidate_keys("openai/gpt-4o-2024-08-06") == [
        "openai/gpt-4o-2024-08-06",
        "gpt-4o-2024-08-06",
        "openai/gpt-4o",
        "gpt-4o",
    ]


def test_azure_prefix_is_dropped():
    assert "gpt-4o-mini" in candidate_keys("azure/gpt-4o-mini")


def test_fine_tune_resolves_to_its_base_model():
    keys = candidate_keys("ft:gpt-3.5-turbo-0125:personal:yay-renew:APjjyG8E:ckpt-step-84")
    assert keys[1:] == ["gpt-3.5-turbo-0125", "gpt-3.5-turbo"]


def test_cost_export_fine_tune_prefix_is_dropped():
    assert candidate_keys("ft-gpt-4o-2024-08-06") == [
        "ft-gpt-4o-2024-08-06",
        "gpt-4o-2024-08-06",
        "ft-gpt-4o",
        "gpt-4o",
    ]


def test_short_snapshot_suffix_is_tried_only_after_the_full_id():
    assert candidate_keys("gpt-3.5-turbo-0125") == ["gpt-3.5-turbo-0125", "gpt-3.5-turbo"]


def test_compact_date_suffix_is_dropped():
    assert candidate_keys("claude-3-5-sonnet-20241022") == [
        "claude-3-5-sonnet-20241022",
        "claude-3-5-sonnet",
    ]


def test_anthropic_display_name_with_date_becomes_the_api_id():
    assert candidate_keys("Claude 3.5 Sonnet 2024-10-22") == [
        "claude 3.5 sonnet 2024-10-22",
        "claude-3-5-sonnet-20241022",
        "claude-3-5-sonnet",
    ]


def test_anthropic_display_name_without_date_becomes_the_api_id():
    assert candidate_keys("Claude Haiku 4.5") == ["claude haiku 4.5", "claude-haiku-4-5"]


def test_openrouter_dotted_claude_slug_becomes_the_dashed_id():
    assert candidate_keys("anthropic/claude-3.5-sonnet")[-1] == "claude-3-5-sonnet"


def test_openrouter_free_variant_is_dropped():
    assert "deepseek-r1" in candidate_keys("deepseek/deepseek-r1:free")


def test_empty_id_has_no_keys():
    assert candidate_keys("   ") == []


def test_resolve_models_uses_the_most_specific_key_found():
    index = {"gpt-4o": "family", "gpt-4o-2024-08-06": "snapshot", "gpt-3.5-turbo": "35"}
    resolved, unresolved = resolve_models(
        ["openai/gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-3.5-turbo-0125"], index
    )
    assert resolved == {
        "openai/gpt-4o-2024-08-06": "snapshot",
        "gpt-4o-2024-11-20": "family",
        "gpt-3.5-turbo-0125": "35",
    }
    assert unresolved == []


def test_resolve_models_lists_every_unknown_id_sorted_once():
    resolved, unresolved = resolve_models(
        ["zeta-model", "alpha-model", "zeta-model", "Claude Haiku 4.5"],
        {"claude-haiku-4-5": 7},
    )
    assert resolved == {"Claude Haiku 4.5": 7}
    assert unresolved == ["alpha-model", "zeta-model"]


def test_bedrock_model_id_drops_region_vendor_and_version():
    keys = candidate_keys("us.anthropic.claude-3-5-sonnet-20241022-v2:0")
    assert keys[1:] == ["claude-3-5-sonnet-20241022", "claude-3-5-sonnet"]


def test_latest_alias_falls_back_to_the_family():
    assert candidate_keys("claude-3-5-sonnet-latest") == [
        "claude-3-5-sonnet-latest",
        "claude-3-5-sonnet",
    ]
