"""Stored usage profiles: one UsageProfile per upload, its canonical daily rows as UsageDay.

Only aggregates are kept (day x model x batch counts and billed cost). The uploaded file
itself, API keys, user ids, e-mails and request bodies are never stored.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.engine.usage.checks import MODEL_ID_MAX_LENGTH, PROVIDER_MAX_LENGTH


class UsageProfile(models.Model):
    # UUID4 so a profile link can be shared without making profiles enumerable.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=40, help_text=_("Detected export format (slug)."))
    format_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    session_key = models.CharField(
        max_length=40, blank=True, db_index=True, help_text=_("Browser session that uploaded it.")
    )
    # The API's uploader deletes with the token the 201 answer carried; only its hash is kept.
    delete_token_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text=_("SHA-256 of the API delete token.")
    )
    report = models.JSONField(default=dict, help_text=_("The reader's UsageReport.to_dict()."))
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_skipped = models.PositiveBigIntegerField(default=0)
    day_count = models.PositiveIntegerField(default=0, help_text=_("Stored UsageDay rows."))
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the uploaded file (empty for estimates)."
    )
    # Unique, so two parallel retries cannot both store: "key:<Idempotency-Key header>" or
    # "file:<session>:<sha256>" (the same file again from the same browser session within
    # UPLOAD_DEDUPE_SECONDS; older such keys are cleared before a new upload claims one).
    idempotency_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("profiles:dashboard", args=[self.pk])


class UploadJob(models.Model):
    """A large upload waiting for, or read by, the background task (dashboard.tasks)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        READING = "reading", _("reading the file")
        DONE = "done", _("ready")
        FAILED = "failed", _("could not be read")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    session_key = models.CharField(max_length=40, blank=True)
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    spool_path = models.CharField(max_length=500, help_text="The file until the task read it.")
    content_sha256 = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # A failed upload keeps the reader's message and where it points (file, line, column).
    error = models.TextField(blank=True)
    error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The reader's error as a template and parameters (UsageFileError.to_json), so the status
    # page words it in the reader's language; empty for a server error and older jobs.
    error_wording = models.JSONField(default=dict, blank=True)
    profile = models.ForeignKey(UsageProfile, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"


class UsageDay(models.Model):
    """One row of the canonical usage frame: a UTC day x source model x batch flag."""

    # No separate FK index: the (profile, day) index below serves every lookup by profile
    # and one index fewer makes million-row uploads noticeably faster.
    profile = models.ForeignKey(
        UsageProfile, on_delete=models.CASCADE, related_name="days", db_index=False
    )
    day = models.DateField()
    # The readers refuse longer ids with their line (same limit on SQLite and PostgreSQL).
    source_provider = models.CharField(max_length=PROVIDER_MAX_LENGTH, blank=True)
    source_model = models.CharField(max_length=MODEL_ID_MAX_LENGTH)
    batch = models.BooleanField(default=False)
    requests = models.BigIntegerField(default=0)
    tokens_input_uncached = models.BigIntegerField(default=0)
    tokens_cache_read = models.BigIntegerField(default=0)
    tokens_cache_write = models.BigIntegerField(default=0)
    tokens_output = models.BigIntegerField(default=0)
    # Float, not Decimal: billed cost is only shown and reconciled, never summed into prices.
    reported_cost = models.FloatField(null=True, blank=True)
    reported_currency = models.CharField(max_length=3, blank=True)

    class Meta:
        indexes = [models.Index(fields=["profile", "day"], name="usageday_profile_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.source_model}{' (batch)' if self.batch else ''}"
