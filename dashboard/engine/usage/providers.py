"""Vendor slug for a model id when the export does not say who served it."""

from __future__ import annotations

# Longest prefixes first is not needed: no prefix here is a prefix of another vendor's.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-", "openai"),
    ("gpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("chatgpt", "openai"),
    ("text-embedding", "openai"),
    ("ft:gpt", "openai"),
    ("claude", "anthropic"),
    ("deepseek", "deepseek"),
    ("qwen", "alibaba"),
    ("glm", "zhipu"),
    ("ernie", "baidu"),
    ("hunyuan", "tencent"),
    ("moonshot", "moonshot"),
    ("kimi", "moonshot"),
    ("doubao", "bytedance"),
)


def infer_provider(model: str) -> str:
    """'gpt-4o-2024-08-06' -> 'openai', 'openai/gpt-4o' -> 'openai', unknown ids -> 'unknown'."""
    lowered = model.strip().lower()
    if "/" in lowered:
        return lowered.split("/", 1)[0] or "unknown"
    for prefix, vendor in _PREFIXES:
        if lowered.startswith(prefix):
            return vendor
    return "unknown"
