"""Pages of uploads and usage profiles (namespace ``profiles``)."""

from django.urls import path

from dashboard.rate_limits import rate_limited
from dashboard.views import estimate, profiles, projection

# Storing a profile (an upload, the sample, an estimate) counts against the upload limit.
stores_profile = rate_limited("upload", methods=("POST",))

app_name = "profiles"

urlpatterns = [
    path("upload/", stores_profile(profiles.upload), name="upload"),
    path("upload/sample/", stores_profile(profiles.upload_sample), name="sample"),
    path("upload/<uuid:pk>/", profiles.upload_status, name="upload_status"),
    path("estimate/", stores_profile(estimate.estimate), name="estimate"),
    path("estimate/models", estimate.model_options, name="estimate_models"),
    path("profiles/", profiles.profile_list, name="list"),
    path("profiles/<uuid:pk>/", projection.profile_dashboard, name="dashboard"),
    path("profiles/<uuid:pk>/delete/", profiles.profile_delete, name="delete"),
    path("profiles/<uuid:pk>/results.csv", projection.results_csv, name="results_csv"),
    path("profiles/<uuid:pk>/summary.csv", projection.results_summary_csv, name="summary_csv"),
]
