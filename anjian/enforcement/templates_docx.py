"""An office's own Word templates (docxtpl) per document type, used instead of the built-in
layout when the town has uploaded one."""

from __future__ import annotations


def render_with_office_template(town, doc_type: str, context: dict) -> bytes | None:
    return None
