"""Storing and loading usage profiles: the bridge between the usage readers and the ORM.

An upload is read by `dashboard.engine.usage.read_usage` into the canonical frame, stored as
one UsageProfile plus its UsageDay rows in a single transaction, and rebuilt later with
`load_frame` straight from the rows of one query (never model instances) so projections stay
fast however often a profile page is redrawn.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from dashboard.engine.catalog_types import Catalog
from dashboard.engine.frame import COUNT_COLUMNS, KEY_COLUMNS, TOKEN_COLUMNS
from dashboard.engine.mapping import resolve_sources
from dashboard.engine.usage import CANONICAL_COLUMNS, UsageFileError, UsageReport, read_usage
from dashboard.engine.usage.resolve import resolve_models
from dashboard.models import UsageDay, UsageProfile
from dashboard.process_memo import ProcessMemo
from providers.catalog import get_catalog
from providers.meters import meter_rules

SAMPLE_FILE = Path(settings.BASE_DIR) / "fixtures" / "usage" / "sample_openai_12_months.csv"
STORE_BATCH_SIZE = 5000
COPY_CHUNK_BYTES = 1 << 20

LOADED_VALUE_COLUMNS = (*COUNT_COLUMNS, "reported_cost", "reported_currency")


def read_upload(uploaded: UploadedFile) -> tuple[pd.DataFrame, UsageReport]:
    """Read an uploaded file with the usage readers; raises UsageFileError (TooLarge past
    MAX_UPLOAD_ROWS rows or MAX_SOURCE_MODELS distinct model ids)."""
    temporary_path = getattr(uploaded, "temporary_file_path", None)
    if temporary_path is not None:
        source: Any = temporary_path()
    else:
        uploaded.seek(0)
        source = uploaded.file
    return read_with_limits(source, filename=uploaded.name)


def read_with_limits(source: Any, *, filename: str | None) -> tuple[pd.DataFrame, UsageReport]:
    """read_usage with the upload limits of the settings and the catalog's meter table."""
    return read_usage(
        source,
        filename=filename,
        max_rows=settings.MAX_UPLOAD_ROWS,
        max_models=settings.MAX_SOURCE_MODELS,
        meter_rules=meter_rules(),  # cloud bills: the catalog's meter table
    )


def store_profile(
    frame: pd.DataFrame,
    report: UsageReport,
    *,
    file_name: str,
    session_key: str = "",
    content_sha256: str = "",
    idempotency_key: str | None = None,
) -> UsageProfile:
    """Store a canonical frame and its report as a new profile, all or nothing.

    The frame is checked first (check_storable), so a stored profile never holds a negative,
    wrapped or non-finite figure and every total its pages compute fits int64."""
    check_storable(frame, file_name)
    with transaction.atomic():
        profile = UsageProfile.objects.create(
            file_name=file_name[:255],
            format=report.format,
            format_label=report.format_label,
            session_key=session_key,
            report=report.to_dict(),
            rows_read=report.rows_read,
            rows_skipped=report.rows_skipped,
            day_count=len(frame),
            first_day=report.first_day,
            last_day=report.last_day,
            content_sha256=content_sha256,
            idempotency_key=idempotency_key or None,
        )
        if connection.vendor == "postgresql":
            _copy_frame(profile, frame)
        else:
            rows = _day_rows(profile, frame)
            for start in range(0, len(rows), STORE_BATCH_SIZE):
                _insert_batch(rows[start : start + STORE_BATCH_SIZE])
    return profile


def check_storable(frame: pd.DataFrame, file_name: str) -> None:
    """Last guard before the database (readers and the estimate check their own input): no
    negative count, no count total past int64 (per kind over the whole profile, which bounds
    every per-day and per-model sum), no infinite or NaN-but-flagged cost."""
    for name in COUNT_COLUMNS:
        values = frame[name].to_numpy(dtype=np.int64)
        if (values < 0).any():
            raise UsageFileError(
                "a {column} total is negative ({value:,}): it cannot be stored",
                params={"column": name, "value": int(values[values < 0][0])},
                filename=file_name,
            )
        if float(values.sum(dtype=np.float64)) >= 2**63 * 0.999 and sum(values.tolist()) >= 2**63:
            raise UsageFileError(
                "the {column} figures sum past {limit:,}: they cannot be stored",
                params={"column": name, "limit": 2**63 - 1},
                filename=file_name,
            )
    costs = frame["reported_cost"].to_numpy(dtype=np.float64)
    if np.isinf(costs).any():
        raise UsageFileError(
            "a billed cost is not a finite number: it cannot be stored", filename=file_name
        )


# Column order of the tuples built by _day_rows and written by _insert_batch.
_INSERT_FIELDS = ("profile", *KEY_COLUMNS, *COUNT_COLUMNS, "reported_cost", "reported_currency")


def _day_rows(profile: UsageProfile, frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame as database-ready tuples, built column by column."""
    ops = connection.ops
    profile_id = UsageDay._meta.get_field("profile").get_db_prep_value(profile.pk, connection)
    days = [ops.adapt_datefield_value(day) for day in frame["day"].dt.date.tolist()]
    cost_column = frame["reported_cost"]
    costs = cost_column.astype(object).where(cost_column.notna(), None).tolist()
    currency_column = frame["reported_currency"]
    currencies = currency_column.astype(object).where(currency_column.notna(), "").tolist()
    return list(
        zip(
            [profile_id] * len(frame),
            days,
            frame["source_provider"].astype(str).tolist(),
            frame["source_model"].astype(str).tolist(),
            frame["batch"].astype(bool).tolist(),
            *(frame[name].astype("int64").tolist() for name in COUNT_COLUMNS),
            costs,
            currencies,
            strict=True,
        )
    )


def _insert_batch(rows: list[tuple[Any, ...]]) -> None:
    """One multi-row INSERT of UsageDay tuples.

    Plain executemany instead of bulk_create: building a model instance per row made storing
    a 100,000-row profile about ten times slower, with nothing to gain (no signals, no pk).
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(UsageDay._meta.get_field(name).column) for name in _INSERT_FIELDS)
    placeholders = ", ".join(["%s"] * len(_INSERT_FIELDS))
    sql = f"INSERT INTO {quote(UsageDay._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _copy_rows(rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: stream the rows with COPY (psycopg 3), several times faster than INSERT."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(UsageDay._meta.get_field(name).column) for name in _INSERT_FIELDS)
    sql = f"COPY {quote(UsageDay._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_frame(profile: UsageProfile, frame: pd.DataFrame) -> None:
    """PostgreSQL: the frame as CSV text written by pandas' C writer, streamed with COPY."""
    table = pd.DataFrame(
        {
            "profile": str(profile.pk),
            "day": frame["day"].dt.strftime("%Y-%m-%d"),
            "source_provider": frame["source_provider"].astype(object).fillna(""),
            "source_model": frame["source_model"].astype(object),
            "batch": np.where(frame["batch"].to_numpy(dtype=bool), "t", "f"),
            **{name: frame[name].to_numpy(dtype=np.int64) for name in COUNT_COLUMNS},
            "reported_cost": frame["reported_cost"].to_numpy(dtype=np.float64),
            "reported_currency": frame["reported_currency"].astype(object).fillna(""),
        }
    )
    # Every non-number is quoted, so "" is an empty string, except for the cost, where the
    # empty cell of a missing cost is NULL (FORCE_NULL); floats are written with repr
    # precision, so a stored cost round-trips exactly.
    text = table.to_csv(index=False, header=False, quoting=csv.QUOTE_NONNUMERIC)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(UsageDay._meta.get_field(name).column) for name in _INSERT_FIELDS)
    cost = quote(UsageDay._meta.get_field("reported_cost").column)
    sql = (
        f"COPY {quote(UsageDay._meta.db_table)} ({columns}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NULL ({cost}))"
    )
    data = text.encode("utf-8")
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for start in range(0, len(data), COPY_CHUNK_BYTES):
            _copy_chunk(copy, data[start : start + COPY_CHUNK_BYTES])


def _copy_chunk(copy: Any, chunk: bytes) -> None:
    copy.write(chunk)


def ingest_upload(uploaded: UploadedFile, *, session_key: str = "") -> UsageProfile:
    """Read and store an uploaded export; nothing is stored when reading fails."""
    return ingest_upload_once(uploaded, session_key=session_key).profile


@dataclass(frozen=True)
class Ingested:
    profile: UsageProfile
    created: bool  # False: a retry, answered with the profile stored the first time


class IdempotencyConflict(Exception):
    """An Idempotency-Key already used for a different file (the API answers 422)."""


IDEMPOTENCY_KEY_MAX = 150


def file_sha256(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def dedupe_key(*, session_key: str, sha256: str, idempotency_key: str = "") -> str | None:
    """The unique key an upload claims: the client's Idempotency-Key, else the session and
    the file's hash (browser uploads), else none (a stateless upload without a key)."""
    if idempotency_key:
        return f"key:{idempotency_key[:IDEMPOTENCY_KEY_MAX]}"
    if session_key:
        return f"file:{session_key}:{sha256}"
    return None


def existing_upload(key: str | None, sha256: str) -> UsageProfile | None:
    """The profile that already holds `key`; a session's file key expires after
    UPLOAD_DEDUPE_SECONDS (it is cleared, so the same file may be stored again)."""
    if key is None:
        return None
    if key.startswith("file:"):
        horizon = timezone.now() - datetime.timedelta(seconds=settings.UPLOAD_DEDUPE_SECONDS)
        UsageProfile.objects.filter(idempotency_key=key, created_at__lt=horizon).update(
            idempotency_key=None
        )
    found = UsageProfile.objects.filter(idempotency_key=key).defer("report").first()
    if found is not None and found.content_sha256 != sha256:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different file; "
            "send a new key for a new upload."
        )
    return found


def ingest_upload_once(
    uploaded: UploadedFile, *, session_key: str = "", idempotency_key: str = ""
) -> Ingested:
    """Read and store an upload unless it is a retry of one already stored (same
    Idempotency-Key, or the same file from the same session within UPLOAD_DEDUPE_SECONDS).

    The key is unique in the database, so of two parallel retries one stores and the other
    gets its profile. Raises UsageFileError (nothing stored) or IdempotencyConflict."""
    sha256 = file_sha256(uploaded)
    key = dedupe_key(session_key=session_key, sha256=sha256, idempotency_key=idempotency_key)
    found = existing_upload(key, sha256)
    if found is not None:
        return Ingested(found, created=False)
    frame, report = read_upload(uploaded)
    return store_once(
        frame,
        report,
        file_name=uploaded.name or "upload",
        session_key=session_key,
        content_sha256=sha256,
        idempotency_key=key,
    )


def store_once(frame: pd.DataFrame, report: UsageReport, **fields: Any) -> Ingested:
    """store_profile; when a parallel retry claimed the same key first, its profile."""
    try:
        return Ingested(store_profile(frame, report, **fields), created=True)
    except IntegrityError:
        key = fields.get("idempotency_key")
        found = UsageProfile.objects.filter(idempotency_key=key).first() if key else None
        if found is None:
            raise
        return Ingested(found, created=False)


def ingest_sample(*, session_key: str = "") -> UsageProfile:
    """Store the bundled 12-month OpenAI sample as a new profile."""
    frame, report = read_usage(SAMPLE_FILE, filename=SAMPLE_FILE.name)
    return store_profile(frame, report, file_name=SAMPLE_FILE.name, session_key=session_key)


def load_frame(profile: UsageProfile | Any) -> pd.DataFrame:
    """Rebuild the canonical frame of a stored profile (accepts a profile or its pk)."""
    pk = profile.pk if isinstance(profile, UsageProfile) else profile
    query = (
        UsageDay.objects.filter(profile_id=pk)
        .order_by(*KEY_COLUMNS)
        .values_list(*KEY_COLUMNS, *LOADED_VALUE_COLUMNS)
    )
    # Raw cursor rows turned into whole columns: Django's per-row converters and pandas'
    # per-column astype chains cost more than the query itself.
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(CANONICAL_COLUMNS)
    day, provider, model, batch, *counts, cost, currency = columns
    frame = pd.DataFrame(
        {
            # Backends hand back date objects or ISO strings; numpy parses both.
            "day": np.array(day, dtype="datetime64[D]").astype("datetime64[ns]"),
            "source_provider": pd.array(provider, dtype="str"),
            "source_model": pd.array(model, dtype="str"),
            "batch": np.array(batch, dtype=bool),
            **{
                name: np.array(values, dtype=np.int64)
                for name, values in zip(COUNT_COLUMNS, counts, strict=True)
            },
            "reported_cost": np.array(cost, dtype=np.float64),
            "reported_currency": pd.array([c or None for c in currency], dtype="str"),
        }
    )
    return frame


def report_of(profile: UsageProfile) -> UsageReport:
    return UsageReport.from_dict(profile.report)


def model_totals(profile: UsageProfile) -> list[dict[str, Any]]:
    """Per source model: requests, the four token kinds and billed cost, in one query."""
    # Only rows that carry money say which currency the total is in.
    has_currency = Q(reported_cost__isnull=False) & ~Q(reported_currency="")
    rows = (
        UsageDay.objects.filter(profile=profile)
        .values("source_provider", "source_model")
        .annotate(
            total_requests=Sum("requests"),
            total_input_uncached=Sum("tokens_input_uncached"),
            total_cache_read=Sum("tokens_cache_read"),
            total_cache_write=Sum("tokens_cache_write"),
            total_output=Sum("tokens_output"),
            total_cost=Sum("reported_cost"),
            currency_min=Min("reported_currency", filter=has_currency),
            currency_max=Max("reported_currency", filter=has_currency),
        )
        .order_by("source_provider", "source_model")
    )
    totals = []
    for row in rows:
        currency = row["currency_min"]
        if currency != row["currency_max"]:
            # Summing USD and CNY into one figure would be meaningless.
            currency = "mixed"
        cost = row["total_cost"]
        totals.append(
            {
                "source_provider": row["source_provider"],
                "source_model": row["source_model"],
                "requests": row["total_requests"] or 0,
                "tokens_input_uncached": row["total_input_uncached"] or 0,
                "tokens_cache_read": row["total_cache_read"] or 0,
                "tokens_cache_write": row["total_cache_write"] or 0,
                "tokens_output": row["total_output"] or 0,
                # 15 significant digits: summing noise goes, $0.0000004 stays
                "reported_cost": None if cost is None or currency == "mixed" else float(f"{cost:.15g}"),
                "reported_currency": currency,
            }
        )
    return totals


def resolve_source_models(
    models: list[str], catalog: Catalog | None = None
) -> tuple[dict[str, str], list[str]]:
    """(raw id -> "provider/model_id" of its catalog model, sorted unresolved raw ids)."""
    catalog = catalog or get_catalog()
    keys, unresolved = resolve_models(models, catalog.model_index)
    resolved = {}
    for raw_id, key in keys.items():
        info = catalog.models[key]
        resolved[raw_id] = f"{info.provider}/{info.model_id}"
    return resolved, unresolved


def profile_summary(profile: UsageProfile, *, url: str) -> dict[str, Any]:
    """The JSON API's view of a profile: report, per-model totals and unresolved ids."""
    summary = usage_summary(profile)
    report = profile.report
    return {
        "id": str(profile.pk),
        "url": url,
        "file_name": profile.file_name,
        "format": profile.format,
        "format_label": profile.format_label,
        "created_at": profile.created_at.isoformat(),
        "rows_read": profile.rows_read,
        "rows_skipped": profile.rows_skipped,
        "skipped": report.get("skipped", {}),
        "first_day": profile.first_day.isoformat() if profile.first_day else None,
        "last_day": profile.last_day.isoformat() if profile.last_day else None,
        "models": list(report.get("models", [])),
        "unresolved_models": summary["unresolved_models"],
        "warnings": list(report.get("warnings", [])),
        "has_reported_cost": bool(report.get("has_reported_cost", False)),
        "unidentified_meters": list(report.get("unidentified_meters", [])),
        "totals": summary["totals"],
    }


# Per worker process, per profile: its usage summary and the catalog snapshot it was made
# with (a stored profile never changes; a new snapshot means a new summary).
_summaries: ProcessMemo[tuple[Catalog, dict[str, Any]]] = ProcessMemo(16)


def usage_summary(profile: UsageProfile, catalog: Catalog | None = None) -> dict[str, Any]:
    """Template context for the usage-summary partial: report, totals, catalog matches
    (read-only: it is shared by the requests of this process). ``catalog``: the snapshot the
    request already holds (else the current one)."""
    catalog = catalog or get_catalog()
    key = (str(profile.pk), settings.DASHBOARD_TOP_MODELS)
    kept = _summaries.get(key)
    if kept is None or kept[0] is not catalog:
        kept = _summaries.put(key, (catalog, _usage_summary(profile, catalog)))
    return dict(kept[1])


def _usage_summary(profile: UsageProfile, catalog: Catalog) -> dict[str, Any]:
    report = report_of(profile)
    resolved, unresolved = resolve_source_models(report.models, catalog)
    totals = model_totals(profile)
    # The exporting provider's own models first, as the projection does: an Azure bill's
    # gpt-4o-2024-08-06 is Azure's model, not OpenAI's.
    keys = resolve_sources(catalog, [(r["source_provider"], r["source_model"]) for r in totals])
    for row in totals:
        key = keys.get((row["source_provider"], row["source_model"]))
        info = catalog.models[key] if key is not None else None
        row["catalog_model"] = f"{info.provider}/{info.model_id}" if info else None
    limit = settings.DASHBOARD_TOP_MODELS
    known = [row for row in totals if row["catalog_model"] is not None]
    unknown = [row for row in totals if row["catalog_model"] is None]
    return {
        "report": report,
        "totals": totals,
        "resolved_models": resolved,
        "unresolved_models": unresolved,
        **top_models(totals, limit),
        # models with a replacement (mappings, model pickers) and models to identify, the top
        # of each kind: unknown ids with many tokens must not crowd out every mapping
        "top_mapped_sources": top_models(known, limit)["top_sources"],
        "top_unknown_sources": top_models(unknown, limit)["top_sources"],
    }


def _tokens(row: dict[str, Any]) -> int:
    return sum(row[name] for name in TOKEN_COLUMNS)


def top_models(totals: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """What a page shows in full: the `limit` source models with the most tokens
    (`shown_totals`, `top_sources`), and the rest summed as one row (`other_summary`) and
    listed compactly (`other_totals`), so a page's size and work do not grow with the ids."""
    ranked = sorted(totals, key=lambda row: (-_tokens(row), row["source_model"]))
    shown, others = ranked[:limit], ranked[limit:]
    other_summary = None
    if others:
        other_summary = {
            "count": len(others),
            **{name: sum(row[name] for row in others) for name in COUNT_COLUMNS},
            "tokens": sum(_tokens(row) for row in others),
        }
    for row in others:
        row["tokens"] = _tokens(row)
    return {
        "shown_totals": shown,
        "other_totals": others,
        "other_summary": other_summary,
        "top_sources": {row["source_model"] for row in shown},
    }
