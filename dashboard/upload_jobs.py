"""Large uploads off the request path: spool the file, queue a task, follow its state.

The upload page calls `start_job` for a file past UPLOAD_BACKGROUND_BYTES: the file is copied
into UPLOAD_SPOOL_DIR, an UploadJob row records it and dashboard.tasks.ingest_upload_job is
enqueued (after the commit, so the worker finds the row). The task runs `run_job`: the same
reader and the same all-or-nothing store as a small upload, so a bad file gets its message
with line and column (kept on the job and shown on its status page) and stores nothing. The
spooled file is deleted once read, whatever the outcome.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_noop

from dashboard import profile_store
from dashboard.engine.usage import TooLarge, UsageFileError
from dashboard.models import UploadJob, UsageProfile

logger = logging.getLogger(__name__)
# Stored in English; the status page translates it (error_wording.job_error).
SERVER_ERROR = gettext_noop(
    "The file could not be stored because of a server error; nothing was kept. Try again later."
)


def is_large(uploaded: UploadedFile) -> bool:
    return (uploaded.size or 0) > settings.UPLOAD_BACKGROUND_BYTES


def start_job(
    uploaded: UploadedFile, *, session_key: str, sha256: str, idempotency_key: str | None
) -> UploadJob:
    """Spool the upload and queue its task; the caller checked it is not a retry."""
    from dashboard.tasks import ingest_upload_job  # the task module imports this one

    spool = Path(settings.UPLOAD_SPOOL_DIR)
    spool.mkdir(parents=True, exist_ok=True)
    job_id = uuid.uuid4()
    path = spool / f"{job_id}.upload"
    uploaded.seek(0)
    with open(path, "wb") as target:
        shutil.copyfileobj(uploaded, target, length=1024 * 1024)
    job = UploadJob.objects.create(
        id=job_id,
        session_key=session_key,
        file_name=(uploaded.name or "upload")[:255],
        size=uploaded.size or 0,
        spool_path=str(path),
        content_sha256=sha256,
        idempotency_key=idempotency_key or "",
    )
    transaction.on_commit(lambda: ingest_upload_job.enqueue(str(job.pk)))
    return job


def queue_unless_stored(
    uploaded: UploadedFile, *, owner: str, key: str | None, sha256: str
) -> UsageProfile | UploadJob:
    """The profile an earlier upload with this retry `key` stored, else a new queued job
    (readable by `owner`: a browser session, or the API credentials)."""
    if key:
        found = profile_store.existing_upload(key, sha256)
        if found is not None:
            return found
    return start_job(uploaded, session_key=owner, sha256=sha256, idempotency_key=key)


def run_job(job_id: str) -> str | None:
    """The task's work: read, store, record the outcome; never leaves the spooled file."""
    job = UploadJob.objects.get(pk=job_id)
    if job.state == UploadJob.State.DONE:  # a task run twice
        return str(job.profile_id)
    UploadJob.objects.filter(pk=job.pk).update(state=UploadJob.State.READING)
    path = Path(job.spool_path)
    try:
        frame, report = profile_store.read_with_limits(path, filename=job.file_name)
        ingested = profile_store.store_once(
            frame,
            report,
            file_name=job.file_name,
            session_key=job.session_key,
            content_sha256=job.content_sha256,
            idempotency_key=job.idempotency_key or None,
        )
    except UsageFileError as err:
        status = 413 if isinstance(err, TooLarge) else 400
        _finish(
            job,
            UploadJob.State.FAILED,
            error=str(err),
            error_status=status,
            error_wording=err.to_json(),
        )
        return None
    except Exception:
        logger.exception("background upload %s failed", job.pk)
        _finish(
            job,
            UploadJob.State.FAILED,
            error=SERVER_ERROR,
            error_status=500,
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    _finish(job, UploadJob.State.DONE, profile=ingested.profile)
    return str(ingested.profile.pk)


def _finish(job: UploadJob, state: str, **fields: object) -> None:
    UploadJob.objects.filter(pk=job.pk).update(state=state, **fields)
