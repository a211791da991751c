from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.services import REFERENCE_PROGRAMS_FILE, reference_programs_load


class Command(BaseCommand):
    help = "Load the programs, projects, sites and events of the domain documents (idempotent, keyed on code)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(REFERENCE_PROGRAMS_FILE), help="JSON file to load")

    def handle(self, *args, **options):
        try:
            report = reference_programs_load(path=Path(options["file"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not report.changed_anything:
            self.stdout.write("Reference programs are up to date.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
                self.stdout.write(self.style.SUCCESS(f"Reference programs {label}: {summary}."))
