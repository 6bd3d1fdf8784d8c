"""Helpers for driving the admin's change forms the way staff do."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse


def change_url(obj: models.Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def form_data(response: HttpResponse) -> dict[str, Any]:
    """The POST body the admin page would send unchanged: every field at its shown value,
    plus the management forms of its inlines."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)
            if form.fields[name].show_hidden_initial:
                # Fields with callable defaults carry their initial value in a hidden input.
                data[form.add_initial_prefix(name)] = data[key]
    return data


@pytest.fixture
def admin_edit(staff_client: Client) -> Callable[..., HttpResponse]:
    """Open ``obj``'s admin change page, change ``fields``, press Save."""

    def edit(obj: models.Model, **fields: Any) -> HttpResponse:
        url = change_url(obj)
        page = staff_client.get(url)
        assert page.status_code == 200
        data = form_data(page)
        data.update({name: str(value) for name, value in fields.items()})
        return staff_client.post(url, data)

    return edit
