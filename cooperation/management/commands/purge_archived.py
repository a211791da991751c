"""Deletes one archived record for good, after writing who, what and why to `PurgeRecord`.

The only way to hard-delete a program, expert or trainee: the admin and the API archive.
The record's change history goes with it (and that of what cascades with it), so its
personal data does not outlive it there.
"""

import getpass

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from cooperation.archive import Archivable, delete_with_history
from cooperation.audit import PurgeRecord


class Command(BaseCommand):
    help = "Delete one archived record for good (e.g. programs.Program 42 --reason '…'); audited."

    def add_arguments(self, parser):
        parser.add_argument("model", help="app_label.Model, e.g. dispatch.Expert")
        parser.add_argument("pk", help="the record's id")
        parser.add_argument("--reason", required=True, help="why the record must go (kept in the audit)")
        parser.add_argument("--by", default=None, help="username answerable for the purge (default: the OS user)")

    def handle(self, *args, model: str, pk: str, reason: str, by: str | None, **options):
        try:
            model_class = apps.get_model(model)
        except (LookupError, ValueError):
            raise CommandError(f"Unknown model {model!r}; give app_label.Model, e.g. programs.Program.") from None
        if not issubclass(model_class, Archivable):
            raise CommandError(
                f"{model_class._meta.label} is not archivable; this command purges archived records only."
            )
        if not reason.strip():
            raise CommandError("Give a reason (--reason): it is kept in the audit.")
        actor = by or getpass.getuser()
        with transaction.atomic():
            record = model_class.all_objects.select_for_update().filter(pk=pk).first()
            if record is None:
                raise CommandError(f"No {model_class._meta.label} with id {pk}.")
            if record.archived_at is None:
                raise CommandError(
                    f"{model_class._meta.label} {pk} is not archived; archive it first (delete it in the admin or API)."
                )
            PurgeRecord.objects.create(
                actor=actor,
                model=model_class._meta.label,
                object_id=str(record.pk),
                description=str(record)[:300],
                archived_at=record.archived_at,
                archived_by=record.archived_by.get_username() if record.archived_by is not None else "",
                reason=reason.strip(),
            )
            try:
                history_rows = delete_with_history(record)
            except (ProtectedError, RestrictedError) as error:
                referring = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
                blocking = ", ".join(sorted({str(obj._meta.verbose_name_plural) for obj in referring}))
                raise CommandError(
                    f"{model_class._meta.label} {pk} is still referred to by {blocking}; nothing deleted."
                ) from None
        self.stdout.write(
            self.style.SUCCESS(f"{model_class._meta.label} {pk} purged with {history_rows} history rows; audit kept.")
        )
