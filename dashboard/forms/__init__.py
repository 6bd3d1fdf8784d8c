"""Every form of the web app: each input a user sends is validated by one of these.

`upload` (the usage export), `catalog` (GET filters of the catalog pages and API), `scenario`
(the projection's what-if parameters, shared by the dashboard, the CSV and the API).
"""

from dashboard.forms.catalog import CatalogFilterForm, OfferFilterForm, ProviderPageForm
from dashboard.forms.scenario import PRESET_JULY_2024, ScenarioForm
from dashboard.forms.upload import UploadForm

__all__ = [
    "CatalogFilterForm",
    "OfferFilterForm",
    "PRESET_JULY_2024",
    "ProviderPageForm",
    "ScenarioForm",
    "UploadForm",
]
