from django.contrib import admin
from django.urls import include, path

from dashboard.api import catalog as catalog_api
from dashboard.views import catalog, projection

urlpatterns = [
    path("", catalog.catalog_index, name="catalog"),
    path("providers/<slug:slug>/", catalog.provider_detail, name="provider_detail"),
    path("offers/", catalog.offer_list, name="offers"),
    path("profiles/<uuid:pk>/results.csv", projection.results_csv, name="profile_results_csv"),
    path("api/profiles/<uuid:pk>/projection", catalog_api.projection, name="api_profile_projection"),
    path("api/catalog/models", catalog_api.catalog_models, name="api_catalog_models"),
    path("api/offers", catalog_api.offers, name="api_offers"),
    path("", include("dashboard.profile_urls")),
    path("admin/", admin.site.urls),
]
