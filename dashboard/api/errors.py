"""JSON error bodies of the API: {"error": ...} plus row/column for file errors or
per-parameter messages for bad parameters."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def json_error(
    message: str, status: int, *, row: int | None = None, column: str | None = None
) -> JsonResponse:
    return JsonResponse({"error": message, "row": row, "column": column}, status=status)


def method_not_allowed(allowed: list[str]) -> JsonResponse:
    response = json_error(f"Method not allowed; use {' or '.join(allowed)}.", 405)
    response["Allow"] = ", ".join(allowed)
    return response


def bad_request(errors: dict[str, Any]) -> JsonResponse:
    flat = {name: " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
            for name, messages in errors.items()}
    return JsonResponse({"error": "Invalid parameters.", "errors": flat}, status=400)
