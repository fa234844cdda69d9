"""``manage.py verify_audit``: walk the hash chain and name the first entry that does not match."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anjian.audit.services import audit_verify_chain, describe_break


class Command(BaseCommand):
    help = _("Verify the hash chain of the audit record; exit 1 at the first broken entry.")

    def add_arguments(self, parser):
        # Another database of the settings, e.g. one a backup was restored into.
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        report = audit_verify_chain(using=options["database"])
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(_("%(count)d entries checked: OK") % {"count": report.checked})
            )
            return
        self.stderr.write(describe_break(report, using=options["database"]))
        raise CommandError(
            _("The audit chain is broken (%(count)d entries checked before the break).")
            % {"count": report.checked},
            returncode=1,
        )
