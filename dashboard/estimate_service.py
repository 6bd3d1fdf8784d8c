"""Store a typed-in estimate as a usage profile, through the same store as an upload.

The profile then opens the same projection dashboard: nothing downstream knows that its
daily rows were spread from monthly figures (see dashboard.engine.estimate).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.utils import timezone

from dashboard.engine.estimate import estimate_frame
from dashboard.forms.estimate import EstimateForm
from dashboard.models import UsageProfile
from dashboard.profile_store import store_profile


def store_estimate(form: EstimateForm, *, session_key: str = "", today: dt.date | None = None) -> UsageProfile:
    """A new profile holding the validated estimate's months; all or nothing."""
    estimate = form.to_estimate()
    frame, report = estimate_frame(estimate, today or timezone.localdate())
    return store_profile(frame, report, file_name=f"Estimate · {estimate.describe()}", session_key=session_key)


def dashboard_url(profile: UsageProfile, form: EstimateForm) -> str:
    """The profile's dashboard, with the growth the user typed already in the scenario."""
    url = profile.get_absolute_url()
    growth = form.cleaned_data.get("growth")
    if not growth:
        return url
    # The dashboard honours any scenario parameter in its URL; the others keep their defaults.
    return f"{url}?{urlencode({'growth': f'{growth:g}'})}"
