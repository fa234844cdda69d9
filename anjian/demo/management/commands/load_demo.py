from django.core.management.base import BaseCommand
from django.utils import translation

from anjian.demo.loader import demo_logins, load_demo


class Command(BaseCommand):
    help = "Builds the demo town 场口镇 (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="do not print the demo log-ins"
        )

    def handle(self, *args, **options):
        report = load_demo()
        if report.total:
            parts = ", ".join(f"{n} {what}" for what, n in report.created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Demo town loaded: created {parts}."))
        else:
            self.stdout.write("Demo town already loaded: nothing changed.")
        if not options["quiet_logins"]:
            with translation.override("zh-hans"):
                self.stdout.write("\n演示账号 Demo log-ins (role · user · password):")
                for role, username, password in demo_logins():
                    self.stdout.write(f"  {role:<28} {username:<14} {password}")
