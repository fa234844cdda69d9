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
