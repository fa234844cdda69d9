from __future__ import annotations


def navigation(request):
    """The navigation the user's roles allow (see anjian/core/navigation.py)."""
    from anjian.core.navigation import menu_for, menu_groups

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_bar": []}
    items = menu_for(user)
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    namespace = match.namespace if match else ""
    return {"nav_items": items, "nav_bar": menu_groups(items, view_name, namespace)}
