"""The one exception type a usage reader raises for bad input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..text import Worded


class UsageFileError(ValueError):
    """A usage file that cannot be read, with where the problem is.

    `row` is the line number as a spreadsheet shows it (the header is line 1), so a user can
    find the cell; str(err) is the whole human message in English.

    For translation the message can be given as a template with `params`
    (`UsageFileError("{count:,} columns named {name!r}", params={...})`): `template` and `params`
    stay on the error so the web layer can word the same template in the user's language, and
    `message` is the English text. A message given without params is its own template.
    """

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        filename: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.template = message
        self.params: dict[str, Any] = dict(params or {})
        self.message = message.format(**self.params) if self.params else message
        self.row = row
        self.column = column
        self.filename = filename
        super().__init__(str(self))

    def to_json(self) -> dict[str, Any]:
        """What `from_json` needs to word the error again later (a background upload keeps it):
        JSON-able, `Worded` parameters included."""
        return {
            "template": self.template,
            "params": {key: _json_value(value) for key, value in self.params.items()},
            "row": self.row,
            "column": self.column,
            "filename": self.filename,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UsageFileError:
        params = {
            key: Worded.from_json(value) if isinstance(value, dict) else value
            for key, value in (data.get("params") or {}).items()
        }
        return cls(
            str(data.get("template", "")),
            params=params,
            row=data.get("row"),
            column=data.get("column"),
            filename=data.get("filename"),
        )

    def __str__(self) -> str:
        where = []
        if self.filename:
            where.append(self.filename)
        if self.row is not None and not self.message.startswith(f"line {self.row} "):
            where.append(f"line {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if where:
            return f"{', '.join(where)}: {self.message}"
        return self.message


def _json_value(value: Any) -> Any:
    if isinstance(value, Worded):
        return value.to_json()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    item = getattr(value, "item", None)  # numpy scalars
    return item() if callable(item) else str(value)


class TooLarge(UsageFileError):
    """A file past one of the caller's size limits (the web layer answers 413)."""


class TooManyRows(TooLarge):
    """More data rows than the caller allows (the web layer answers 413)."""


class TooManyModels(TooLarge):
    """More distinct source model ids than the caller allows (the web layer answers 413)."""
