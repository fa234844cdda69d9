"""Issue 16's documents part in the access walk: the officers of an inspection (page and API).
The preview pages reuse the issue URLs (GET), already registered; the preview operations take
the registered ``inspection_id`` / ``issued_document_id`` path parameters."""

from __future__ import annotations

from typing import Any

from anjian.inspections.models import Inspection

FUNCTION_VIEW_OBJECTS: dict[str, tuple[type, str]] = {
    "inspections:inspection_officers": (Inspection, "inspections.inspect"),
}
OBJECT_OPERATION_BODIES: dict[str, Any] = {
    "inspections_officers_set": {"officer_ids": []},
}
