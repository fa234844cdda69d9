"""Pages: see the module docstring once written."""

urlpatterns: list = []
