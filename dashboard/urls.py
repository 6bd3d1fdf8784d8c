"""Site routes: catalog pages here; profile pages and the JSON API in their own URLconfs."""

from django.contrib import admin
from django.urls import include, path

from dashboard.api.urls import api, fallback
from dashboard.views import catalog, site

urlpatterns = [
    path("", catalog.catalog_index, name="catalog"),
    path("providers/<slug:slug>/", catalog.provider_detail, name="provider_detail"),
    path("offers/", catalog.offer_list, name="offers"),
    path("", include("dashboard.profile_urls")),
    path("api/", api.urls),
    path("api/", include(fallback)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", site.favicon),
]
