"""``manage.py load_regions <csv>``: load or update the Region tree from a CSV file.

The columns are ``code,name,level,parent_code[,community]``; see ``data/fuyang-demo.csv``. The whole
file is applied, or nothing when a row is wrong (each error names its row); exit status 1 then.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anjian.core.context import request_context
from anjian.regions.services import regions_load_file

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "fuyang-demo.csv"


class Command(BaseCommand):
    help = _("Load or update regions from a CSV file (code,name,level,parent_code[,community]).")

    def add_arguments(self, parser):
        parser.add_argument(
            "csv",
            nargs="?",
            default=str(DEMO_FILE),
            help=_("The CSV file (default: the demo district %(file)s)") % {"file": DEMO_FILE.name},
        )

    def handle(self, *args, **options):
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path}, returncode=1)
        with request_context(source="command"):
            report = regions_load_file(actor=None, path=path)
        for error in report.errors:
            self.stderr.write(error)
        if report.errors:
            raise CommandError(
                ngettext(
                    "%(count)d error; nothing was changed.",
                    "%(count)d errors; nothing was changed.",
                    len(report.errors),
                )
                % {"count": len(report.errors)},
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Regions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                }
            )
        )
