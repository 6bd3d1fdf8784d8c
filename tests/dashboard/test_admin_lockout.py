"""The admin login locks a client out after repeated failures (django-axes)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def log_in(client: Client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "staff", "password": password})


def test_five_failed_logins_lock_the_client_out_even_with_the_right_password(staff_user, settings) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    attacker = Client(REMOTE_ADDR="198.51.100.1")

    failures = [log_in(attacker, f"guess-{n}").status_code for n in range(4)]
    fifth = log_in(attacker, "guess-5")
    right = log_in(attacker, "pw-staff-1")

    assert failures == [200, 200, 200, 200]  # the form again, with its error
    assert fifth.status_code == 429 and right.status_code == 429
    assert "_auth_user_id" not in attacker.session
    # another address is not locked out
    assert log_in(Client(REMOTE_ADDR="198.51.100.2"), "pw-staff-1").status_code == 302


def test_a_successful_login_resets_the_count(staff_user) -> None:
    client = Client(REMOTE_ADDR="198.51.100.3")
    for n in range(4):
        log_in(client, f"guess-{n}")
    assert log_in(client, "pw-staff-1").status_code == 302
    client.logout()

    assert [log_in(client, f"again-{n}").status_code for n in range(4)] == [200] * 4
