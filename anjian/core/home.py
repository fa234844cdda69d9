"""The home page of each role."""

from __future__ import annotations

from django.shortcuts import render

from anjian.core.views import login_only


@login_only
def home(request):
    return render(request, "core/home.html", {})
