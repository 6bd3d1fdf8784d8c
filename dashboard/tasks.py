"""Background tasks (django.tasks; in production the django-tasks-db backend and its
`manage.py db_worker`, started by `make run`).

ingest_upload_job reads a large upload that the upload page spooled to disk (see
dashboard.upload_jobs) and stores its profile, or records the reader's message.
"""

from __future__ import annotations

from django.tasks import task

from dashboard import upload_jobs


@task()
def ingest_upload_job(job_id: str) -> str | None:
    """Read and store one spooled upload; returns the profile id (None when it failed)."""
    return upload_jobs.run_job(job_id)
