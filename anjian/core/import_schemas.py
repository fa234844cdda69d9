"""The API schemas every import shares (``anjian.core.import_runs``): a rejected row and a planned
change of the dry run. One class each, so that the OpenAPI components ``RejectOut`` and
``PreviewOut`` are defined once for every import that returns them."""

from __future__ import annotations

from typing import Literal

from ninja import Schema


class RejectOut(Schema):
    """A rejected row: its number in the file, the column (as the sheet names it) and why."""

    row: int
    column: str
    message: str


class PreviewOut(Schema):
    """A row the import would write: created or updated, what it is, and the values it sets."""

    row: int
    action: Literal["create", "update"]
    label: str
    changes: dict[str, str | int | float | None]
    carried: list[str] = []  # columns whose value came from a merged cell above
    warnings: list[str] = []  # how a cell that said more than its value was read


class ReadingOut(Schema):
    """How the dry run read the file: the sheet, the values given for the whole file, what it
    still asks (a column the file lacks, headers it does not know), rows carried and warned."""

    sheet: str = ""
    sheets: list[str] = []
    fixed: dict[str, str | int | float | None] = {}
    missing: list[dict[str, str | list[str]]] = []
    unknown_headers: list[str] = []
    ignored_headers: list[str] = []
    carried: int = 0
    warned: int = 0
    warnings: list[RejectOut] = []
