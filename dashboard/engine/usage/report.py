"""What a reader tells the user about a file besides the frame itself."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from ..text import Worded

# to_dict's key for the templates of parametrised warnings: {English text: Worded.to_json()}.
# `warnings` itself stays a list of English strings (what the API shows); profiles stored
# before it have none, and their warnings read as they were written.
WARNING_WORDING = "warning_wording"


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
        data["warnings"] = [str(warning) for warning in self.warnings]
        wording = {
            str(warning): warning.to_json()
            for warning in self.warnings
            if isinstance(warning, Worded) and warning.params
        }
        if wording:
            data[WARNING_WORDING] = wording
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
        wording = values.pop(WARNING_WORDING, None) or {}
        values["warnings"] = [
            Worded.from_json(wording[text]) if text in wording else text
            for text in values.get("warnings") or []
        ]
        values["models"] = list(values.get("models") or [])
        values["billed_usage"] = list(values.get("billed_usage") or [])
        values["unidentified_meters"] = list(values.get("unidentified_meters") or [])
        return cls(**values)
