from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.backup import restore


class Command(BaseCommand):
    help = "Replace the database's contents by a dump made with backup_database."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file, yes=False, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        if not yes and input(f"Replace every record of the database by {path}? [y/N] ").lower() != "y":
            raise CommandError("Nothing restored.")
        try:
            restore(path)
        except Exception as exc:
            raise CommandError(f"Restore failed: {getattr(exc, 'stderr', b'').decode() or exc}") from exc
        self.stdout.write(f"Restored {path}.")
