"""Re-encrypts every encrypted column with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it),
restart, run this command, then remove the old key. Digests are recomputed on the way, so
the same run also moves them to a changed FIELD_DIGEST_KEY.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from cooperation import crypto


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS (batched)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=crypto.BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options):
        total = 0
        for model in apps.get_models():
            if not crypto.encrypted_fields(model):
                continue
            # One transaction per table: a failure (a missing old key) leaves that table as it was.
            with transaction.atomic():
                rows = crypto.rewrite_model(connection, model, crypto.rotating, batch_size=batch_size)
            total += rows
            self.stdout.write(f"{model._meta.label}: {rows} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} rows re-encrypted with the first key."))
