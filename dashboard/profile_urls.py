"""Pages of uploads and usage profiles (namespace ``profiles``)."""

from django.urls import path

from dashboard.views import estimate, profiles, projection

app_name = "profiles"

urlpatterns = [
    path("upload/", profiles.upload, name="upload"),
    path("upload/sample/", profiles.upload_sample, name="sample"),
    path("estimate/", estimate.estimate, name="estimate"),
    path("estimate/models", estimate.model_options, name="estimate_models"),
    path("profiles/", profiles.profile_list, name="list"),
    path("profiles/<uuid:pk>/", projection.profile_dashboard, name="dashboard"),
    path("profiles/<uuid:pk>/delete/", profiles.profile_delete, name="delete"),
    path("profiles/<uuid:pk>/results.csv", projection.results_csv, name="results_csv"),
    path("profiles/<uuid:pk>/summary.csv", projection.results_summary_csv, name="summary_csv"),
]
