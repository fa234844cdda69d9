"""Registry parts of the access walk (``tests/test_access.py``), one module per part of the app.

Each module here may define any of the registries of ``test_access`` — ``FUNCTION_VIEW_OBJECTS``,
``PLAIN_KWARGS``, ``PATH_PARAMS``, ``LIST_OPERATIONS``, ``ACTION_OPERATIONS``, ``SELF_OPERATIONS``,
``PUBLIC_OPERATIONS``, ``OBJECT_OPERATION_BODIES`` — which are merged into the walk's, and a
``walk_objects(*, world, recorders, towns, outside_officer)`` function that makes the part's objects
in every town of the walk (``recorders`` maps each unit to an office user of its town; ``towns``
holds the three towns: the world's two and one of another district that no persona reaches).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

PARTS: list[ModuleType] = [
    importlib.import_module(f"{__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
]
REGISTRIES = (
    "FUNCTION_VIEW_OBJECTS",
    "PLAIN_KWARGS",
    "PATH_PARAMS",
    "LIST_OPERATIONS",
    "ACTION_OPERATIONS",
    "OBJECT_OPERATION_BODIES",
)
SETS = ("SELF_OPERATIONS", "PUBLIC_OPERATIONS")


def merge_into(namespace: dict) -> None:
    """Add every part's registries to the walk's (a key registered twice is an error)."""
    for part in PARTS:
        for name in REGISTRIES:
            extra = getattr(part, name, {})
            if clash := set(extra) & set(namespace[name]):
                raise AssertionError(f"{part.__name__}.{name} registers again: {sorted(clash)}")
            namespace[name].update(extra)
        for name in SETS:
            namespace[name] |= set(getattr(part, name, set()))


def make_walk_objects(**kwargs) -> None:
    for part in PARTS:
        if hasattr(part, "walk_objects"):
            part.walk_objects(**kwargs)
