import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.models import Program, Project
from programs.publication import publication_publish, publication_submit
from programs.services import REFERENCE_PROGRAMS_FILE

# The demo's two staff accounts (create_demo_accounts): one submits, the other reviews.
SUBMITTER, REVIEWER = "staff", "reviewer"


class Command(BaseCommand):
    help = (
        "Development only: publish the reference programs and projects through the review "
        "(submitted by the demo's `staff`, published by its `reviewer`), so the public pages "
        "and the IATI file have content. A record once submitted is left as it is."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo publication happens only in development (DJANGO_DEBUG=1).")
        users = get_user_model().objects
        try:
            submitter, reviewer = users.get(username=SUBMITTER), users.get(username=REVIEWER)
        except users.model.DoesNotExist:
            raise CommandError("The demo accounts are missing; run create_demo_accounts first.") from None
        document = json.loads(REFERENCE_PROGRAMS_FILE.read_text(encoding="utf-8"))
        published = 0
        for model, rows in ((Program, document["programs"]), (Project, document["projects"])):
            codes = [row["code"] for row in rows]
            for record in model.objects.filter(code__in=codes, submitted_at__isnull=True).order_by("code"):
                try:
                    publication_submit(record=record, actor=submitter)
                    publication_publish(record=record, actor=reviewer)
                except (ValidationError, PermissionDenied) as refused:
                    self.stderr.write(f"{record.code}: not published: {refused}")
                else:
                    published += 1
        if published:
            self.stdout.write(self.style.SUCCESS(f"Demo: {published} reference programs and projects published."))
        else:
            self.stdout.write("Demo: nothing left to publish.")
