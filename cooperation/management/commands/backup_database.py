from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cooperation.backup import backup


class Command(BaseCommand):
    help = "Dump the whole database to a file (pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="where to write (default: backups/cooperation-<time>.dump)")

    def handle(self, *args, file=None, **options):
        path = (
            Path(file) if file else settings.BASE_DIR / "backups" / f"cooperation-{datetime.now():%Y%m%d-%H%M%S}.dump"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            backup(path)
        except Exception as exc:
            raise CommandError(f"Backup failed: {getattr(exc, 'stderr', b'').decode() or exc}") from exc
        self.stdout.write(str(path))
