"""Chinese of the shared provisions table and each town's own rows (issue 16 §3)."""

T = {
    "Empty: shared by every town (kept by the district).": "留空：各镇共用（由区级维护）。",
    "shared by every town": "各镇共用",
}
