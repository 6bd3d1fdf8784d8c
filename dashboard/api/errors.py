"""JSON bodies of the API: {"error": ...} plus row/column for file errors, or per-parameter
messages for bad parameters; never NaN or Infinity (invalid JSON).

`install_handlers` gives the django-ninja API the same bodies for its own errors (bad
parameters, a refused token, an unknown id, an unexpected exception); `dashboard.middleware`
turns any other error under /api/ (Django's 404, a 405, a 413) into JSON as well.
"""

from __future__ import annotations

import json
import logging
import math
from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger("dashboard.api")

# Django's error message per status, used when an error reaches the client without a body of ours.
GENERIC_MESSAGES = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Nothing here: /api/docs lists the API's operations.",
    413: "The request body is too large.",
    500: "Internal error; it has been logged.",
}
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
NOT_FOUND = "No profile has this id."


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None (an unknown figure)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dumps(data: Any) -> str:
    try:
        return json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False)
    except ValueError:
        logger.warning("A non-finite number was answered as null.")
        return json.dumps(_finite(data), cls=DjangoJSONEncoder, allow_nan=False)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(dumps(data), status=status, content_type="application/json")


def json_error(
    message: str, status: int, *, row: int | None = None, column: str | None = None
) -> HttpResponse:
    return json_response({"error": message, "row": row, "column": column}, status)


def allowed_methods(methods: list[str]) -> list[str]:
    """Methods in the usual order, with HEAD wherever GET is (dashboard.middleware)."""
    wanted = {m.upper() for m in methods} | ({"HEAD"} if "GET" in {m.upper() for m in methods} else set())
    return sorted(wanted, key=lambda m: METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER))


def method_not_allowed(methods: list[str]) -> HttpResponse:
    allowed = allowed_methods(methods)
    response = json_error(f"Method not allowed; use {' or '.join(allowed)}.", 405)
    response["Allow"] = ", ".join(allowed)
    return response


def bad_request(errors: dict[str, Any]) -> HttpResponse:
    flat = {name: " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
            for name, messages in errors.items()}
    return json_response({"error": "Invalid parameters.", "errors": flat}, 400)


def parameter_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Pydantic's errors of the query schema as {parameter: message}."""
    messages: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        name = location[1] if len(location) > 1 else (location[0] if location else "request")
        text = str(error.get("msg", "invalid value"))
        given = error.get("input")
        if isinstance(given, str | int | float) and len(str(given)) <= 40:
            text += f" (got {given!r})"
        messages.setdefault(name, []).append(text + ".")
    return {name: " ".join(texts) for name, texts in messages.items()}


def install_handlers(api: NinjaAPI) -> None:
    """Every error ninja produces gets one of our JSON bodies."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
            return json_error(NOT_FOUND, 404)  # only profile ids are path parameters
        return bad_request(parameter_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = json_error("Authentication required: send 'Authorization: Bearer <token>'.", 401)
        response["WWW-Authenticate"] = 'Bearer realm="tokenscope"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return json_error(str(exc), exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return json_error(NOT_FOUND, 404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return json_error(f"The request body is too large: {exc}", 413)

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return json_error(f"The multipart body could not be parsed: {exc}", 400)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return json_error(f"Bad request: {exc}", 400)

    @api.exception_handler(Exception)
    def crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Internal error on %s %s", request.method, request.path, exc_info=exc)
        return json_error(GENERIC_MESSAGES[500], 500)


def generic_message(status: int) -> str:
    if status in GENERIC_MESSAGES:
        return GENERIC_MESSAGES[status]
    try:
        return HTTPStatus(status).phrase + "."
    except ValueError:
        return "Error."
