from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "anjian.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from anjian.accounts.scope import get_user_scope
        from anjian.core.scoping import register_scope_resolver

        register_scope_resolver(get_user_scope)
