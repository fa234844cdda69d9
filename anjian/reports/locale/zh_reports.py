"""Chinese of the reports app."""

T: dict[str, str] = {}
PLURALS: dict[str, list[str]] = {}
CONTEXT: dict[tuple[str, str], str] = {}
