"""Every change to a catalog row bumps CatalogState.version (see providers.catalog)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import CatalogState, ExchangeRate, LLMModel, ModelEquivalent, Offer, Price, Provider

CATALOG_MODELS = (Provider, LLMModel, Price, Offer, ExchangeRate, ModelEquivalent)


def _bump(sender, **kwargs) -> None:
    CatalogState.bump()


for _model in CATALOG_MODELS:
    post_save.connect(_bump, sender=_model, dispatch_uid=f"catalog-save-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"catalog-delete-{_model.__name__}")


@receiver(m2m_changed, sender=Offer.eligible_models.through, dispatch_uid="catalog-offer-models")
def _offer_models_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        CatalogState.bump()
