"""The JSON API (namespace ``api``), a django-ninja API: profiles and their projection, the
estimates, the catalog, the offers; its OpenAPI 3.1 contract at /api/openapi.json and a docs
page at /api/docs (Swagger UI served from the installed ninja package, no CDN)."""

from django.urls import re_path
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from dashboard.api import catalog, estimates, profiles
from dashboard.api.auth import ApiToken
from dashboard.api.errors import install_handlers, json_error

api = NinjaAPI(
    title="TokenScope API",
    version="1",
    description="Usage profiles, cost projections, the price catalog and offers. "
    "Errors are JSON: {\"error\", \"row\", \"column\"}, or {\"error\": \"Invalid parameters.\", "
    "\"errors\": {parameter: message}}. See README, section \"API reference\".",
    urls_namespace="api",
    auth=ApiToken(),
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_handlers(api)
api.add_router("", profiles.router)
api.add_router("", estimates.router)
api.add_router("", catalog.router)


def unknown(request, rest: str = ""):
    return json_error("Nothing here: /api/docs lists the API's operations.", 404)


urls = api.urls
# Any other path under /api/ is a JSON 404 (Django's own 404 page is HTML).
fallback = [re_path(r"^(?P<rest>.*)$", unknown)]
