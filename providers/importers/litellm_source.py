"""Where a LiteLLM price map comes from: a file, an https:// URL, or the installed package.

Kept apart from the importer so the parsing and history code never touches the network
or the file system, and the commands share one error vocabulary (``SourceError``).
"""

from __future__ import annotations

import importlib.util
import json
import urllib.error
import urllib.request
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

BUNDLED_FILE = "model_prices_and_context_window_backup.json"
NOT_INSTALLED = "litellm is not installed; pass a file path or URL"


class SourceError(Exception):
    """The price map could not be read; the message is meant for the person running it."""


def find_litellm_spec() -> ModuleSpec | None:
    return importlib.util.find_spec("litellm")


def installed_price_map_path() -> Path:
    """The JSON file bundled inside the installed ``litellm`` package.

    ``find_spec`` locates the package without importing it: importing litellm pulls in
    dozens of heavy dependencies we do not need just to read one data file.
    """
    try:
        spec = find_litellm_spec()
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(NOT_INSTALLED)
    for location in spec.submodule_search_locations:
        candidate = Path(location) / BUNDLED_FILE
        if candidate.is_file():
            return candidate
    raise SourceError(
        f"the installed litellm package has no {BUNDLED_FILE}; pass a file path or URL"
    )


def _parse_json(text: str | bytes, label: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{label} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceError(f"{label} is not a LiteLLM price map (expected a JSON object of models)")
    return data


def read_price_map(
    source: str | None, *, installed: bool = False, timeout: float = 30.0
) -> tuple[dict[str, Any], str]:
    """Return the parsed price map and a label naming where it came from."""
    if installed:
        if source:
            raise SourceError("pass either a source or --installed, not both")
        path = installed_price_map_path()
        return _parse_json(path.read_bytes(), str(path)), f"installed litellm ({path})"
    if not source:
        raise SourceError("pass a file path, an https:// URL or --installed")
    if "://" in source:
        if not source.startswith("https://"):
            raise SourceError(f"only https:// URLs are supported, got {source}")
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise SourceError(f"could not download {source}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError(f"could not download {source}: {reason}") from exc
        return _parse_json(body, source), source
    path = Path(source)
    if not path.is_file():
        raise SourceError(f"no such file: {source}")
    return _parse_json(path.read_bytes(), source), str(path)
