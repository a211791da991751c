from django.core.management.base import BaseCommand

from cooperation.services import REFERENCE_DATA_FILE, reference_data_load


class Command(BaseCommand):
    help = "Load regions, cooperation fields and organizations (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(REFERENCE_DATA_FILE), help="JSON file to load")

    def handle(self, *args, **options):
        from pathlib import Path

        report = reference_data_load(path=Path(options["file"]))
        if not report.changed_anything:
            self.stdout.write("Reference data is up to date.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
                self.stdout.write(self.style.SUCCESS(f"Reference data {label}: {summary}."))
