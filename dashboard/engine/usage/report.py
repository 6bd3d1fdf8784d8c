"""What a reader tells the user about a file besides the frame itself."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class UsageReport:
    format: str
    format_label: str
    rows_read: int
    rows_skipped: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    warnings: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    has_reported_cost: bool = False
    # Cloud bills: tokens and billed cost per month x source model x token kind x batch flag
    # (the effective unit prices of the bill come from these), and meters nobody identified.
    billed_usage: list[dict[str, Any]] = field(default_factory=list)
    unidentified_meters: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("first_day", "last_day"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsageReport:
        values = dict(data)
        for key in ("first_day", "last_day"):
            value = values.get(key)
            values[key] = datetime.date.fromisoformat(value) if value else None
        values["skipped"] = dict(values.get("skipped") or {})
        values["warnings"] = list(values.get("warnings") or [])
        values["models"] = list(values.get("models") or [])
        values["billed_usage"] = list(values.get("billed_usage") or [])
        values["unidentified_meters"] = list(values.get("unidentified_meters") or [])
        return cls(**values)
