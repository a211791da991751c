from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dispatch.services.missions import REFERENCE_MISSIONS_FILE, reference_missions_load


class Command(BaseCommand):
    help = "Load the disasters, missions, published checkpoints and opening balances the sources name (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(REFERENCE_MISSIONS_FILE), help="JSON file to load")

    def handle(self, *args, **options):
        try:
            created = reference_missions_load(path=Path(options["file"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not any(created.values()):
            self.stdout.write("Reference missions are up to date.")
            return
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Reference missions created: {summary}."))
