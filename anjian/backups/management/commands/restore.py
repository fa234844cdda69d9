"""``manage.py restore ARCHIVE``: restore into an empty database and media folder, then check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anjian.backups.restore import restore_archive


class Command(BaseCommand):
    help = _("Restore a backup archive into an empty database and media folder and check it.")

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--media-root", help=_("Folder of the files (default ANJIAN_MEDIA_ROOT)")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Overwrite a database or folder that is not empty"),
        )

    def handle(self, *args, **options):
        try:
            report = restore_archive(
                options["archive"],
                using=options["database"],
                media_root=options["media_root"],
                force=options["force"],
            )
        except ValidationError as exc:
            raise CommandError(
                _("Restore refused: %(reason)s") % {"reason": "; ".join(exc.messages)},
                returncode=1,
            ) from exc
        if report.media_set_aside:
            self.stdout.write(
                _("The files that were in the media folder were moved to %(path)s.")
                % {"path": report.media_set_aside}
            )
        for check in report.checks:
            mark = self.style.SUCCESS("✔") if check.ok else self.style.ERROR("✘")
            self.stdout.write(f"{mark} {check.name}: {check.detail}")
        if report.migrations_applied:
            self.stdout.write(
                _("Migrations applied after the restore: %(names)s")
                % {"names": ", ".join(report.migrations_applied)}
            )
        if not report.ok:
            raise CommandError(_("The restored data failed a check (see above)."), returncode=1)
        self.stdout.write(self.style.SUCCESS(_("Restore finished: every check passed.")))
