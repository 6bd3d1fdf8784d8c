"""The JSON API (namespace ``api``): profiles and their projection, the catalog, the offers."""

from django.urls import path

from dashboard.api import catalog, estimates, profiles

app_name = "api"

urlpatterns = [
    path("profiles/", profiles.profiles, name="profiles"),
    path("profiles/<uuid:pk>/", profiles.profile, name="profile"),
    path("profiles/<uuid:pk>/projection", profiles.projection, name="projection"),
    path("estimates/", estimates.estimates, name="estimates"),
    path("catalog/models", catalog.catalog_models, name="catalog_models"),
    path("offers", catalog.offers, name="offers"),
]
