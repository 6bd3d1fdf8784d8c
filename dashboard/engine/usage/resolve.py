"""Match model ids as exports write them to catalog keys.

Exports name the same model many ways: gateway slugs (`openai/gpt-4o-2024-08-06`), fine-tunes
(`ft:gpt-3.5-turbo-0125:org:name:id`), dated snapshots, Vertex-style `@20240620` suffixes,
OpenRouter `:free` variants and Anthropic Console display names (`Claude 3.5 Sonnet 2024-10-22`).
`candidate_keys` turns one raw id into lookup keys, most specific first; `resolve_models` tries
them against an index of lower-cased catalog ids and aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Snapshot suffixes, longest forms first so "-2024-08-06" is not mistaken for "-0806".
_DATE_SUFFIXES = (
    re.compile(r"[-@]\d{4}-\d{2}-\d{2}$"),  # -2024-08-06
    re.compile(r"[-@]\d{8}$"),  # -20241022, @20240620
    re.compile(r"-\d{4}$"),  # -0125, -1106 (OpenAI short snapshots)
    re.compile(r"-latest$"),  # claude-3-5-sonnet-latest, chatgpt-4o-latest
)
# Bedrock model ids: [region.]vendor.model[-vN][:N], e.g. us.anthropic.claude-3-5-sonnet-20241022-v2:0
_BEDROCK = re.compile(
    r"^(?:(?:us|eu|apac|global)\.)?"
    r"(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai)\."
    r"(?P<model>.+?)(?:-v\d+)?(?::\d+)?$"
)
_VARIANT_SUFFIX = re.compile(r":(free|beta|extended|nitro|floor|online|thinking)$")
_ISO_DATE_WORD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_VERSION_WORD = re.compile(r"^\d+(\.\d+)+$")
_CLAUDE_DOTTED = re.compile(r"(?<=\d)\.(?=\d)")


def _without_date_suffix(key: str) -> str | None:
    for pattern in _DATE_SUFFIXES:
        stripped = pattern.sub("", key)
        if stripped != key and stripped:
            return stripped
    return None


def _display_name_slug(name: str) -> str:
    """'claude 3.5 sonnet 2024-10-22' -> 'claude-3-5-sonnet-20241022'."""
    words = []
    for word in name.split():
        date = _ISO_DATE_WORD.match(word)
        if date:
            words.append("".join(date.groups()))
        elif _VERSION_WORD.match(word):
            words.append(word.replace(".", "-"))
        else:
            words.append(word)
    return "-".join(words)


def _base_ids(key: str) -> list[str]:
    """The id with gateway prefixes, fine-tune wrappers and variants peeled off, one per step."""
    bases = [key]
    current = key
    if current.startswith("ft:"):
        # ft:gpt-3.5-turbo-0125:personal:name:id -> the base model is the second field
        current = current[3:].split(":", 1)[0]
        bases.append(current)
    variant = _VARIANT_SUFFIX.sub("", current)
    if variant != current:
        current = variant
        bases.append(current)
    while "/" in current:
        current = current.split("/", 1)[1]
        bases.append(current)
    bedrock = _BEDROCK.match(current)
    if bedrock:
        current = bedrock.group("model")
        bases.append(current)
    if current.startswith("ft-"):
        # OpenAI cost line items write fine-tunes as "ft-gpt-4o-2024-08-06"
        current = current[3:]
        bases.append(current)
    if " " in current:
        current = _display_name_slug(current)
        bases.append(current)
    if current.startswith("claude") and _CLAUDE_DOTTED.search(current):
        # OpenRouter writes anthropic/claude-3.5-sonnet; Anthropic's ids use claude-3-5-sonnet
        current = _CLAUDE_DOTTED.sub("-", current)
        bases.append(current)
    return bases


def candidate_keys(raw_id: str) -> list[str]:
    """Lower-cased lookup keys to try, most specific first.

    The id itself; then without gateway prefix ('openai/gpt-4o-2024-08-06' ->
    'gpt-4o-2024-08-06'), fine-tune wrapper ('ft:gpt-3.5-turbo-0125:org:x:y' ->
    'gpt-3.5-turbo-0125') or variant (':free'); Anthropic display names become ids
    ('Claude Haiku 4.5' -> 'claude-haiku-4-5'); each of those is followed by its form without
    a snapshot date suffix (-2024-08-06, -20241022, then the short -0125 form).
    """
    key = " ".join(raw_id.strip().lower().split())
    if not key:
        return []
    keys: list[str] = []
    for base in _base_ids(key):
        undated = base
        chain = [base]
        while True:
            shorter = _without_date_suffix(undated)
            if shorter is None:
                break
            undated = shorter
            chain.append(undated)
        for candidate in chain:
            if candidate not in keys:
                keys.append(candidate)
    # Undated forms go after every dated form so a gateway-stripped snapshot wins over
    # a bare family name.
    dated = [k for k in keys if _without_date_suffix(k) is not None or k == key]
    undated_only = [k for k in keys if k not in dated]
    return dated + undated_only


def resolve_models[K](
    raw_ids: Iterable[str], index: Mapping[str, K]
) -> tuple[dict[str, K], list[str]]:
    """Map each raw id to the catalog key of its first candidate key found in `index`.

    `index` maps lower-cased model ids and aliases to a catalog key. Returns
    (resolved raw id -> key, sorted unresolved raw ids); every distinct raw id lands in
    exactly one of the two.
    """
    resolved: dict[str, K] = {}
    unresolved: set[str] = set()
    for raw_id in raw_ids:
        if raw_id in resolved or raw_id in unresolved:
            continue
        for key in candidate_keys(raw_id):
            if key in index:
                resolved[raw_id] = index[key]
                break
        else:
            unresolved.add(raw_id)
    return resolved, sorted(unresolved)
