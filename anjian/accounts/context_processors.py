from __future__ import annotations


def navigation(request):
    """The navigation the user's roles allow (see anjian/core/navigation.py)."""
    from anjian.core.navigation import menu_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": menu_for(user)}
