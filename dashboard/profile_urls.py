"""Routes for uploads and usage profiles (pages and JSON API)."""

from django.urls import path

from dashboard.api import profiles as api
from dashboard.views import profiles, projection

urlpatterns = [
    path("upload/", profiles.upload, name="upload"),
    path("upload/sample/", profiles.upload_sample, name="upload_sample"),
    path("profiles/", profiles.profile_list, name="profile_list"),
    path("profiles/<uuid:pk>/", projection.profile_dashboard, name="profile_detail"),
    path("profiles/<uuid:pk>/delete/", profiles.profile_delete, name="profile_delete"),
    path("api/profiles/", api.profiles, name="api_profiles"),
    path("api/profiles/<uuid:pk>/", api.profile, name="api_profile"),
]
