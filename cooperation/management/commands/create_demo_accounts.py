import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cooperation.models import Organization
from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.services import user_create

# username, role, organization code. Two staff accounts, because publishing takes two:
# one submits, the other reviews (programs.publication).
DEMO_ACCOUNTS = (
    ("staff", NPA_STAFF, "npa"),
    ("reviewer", NPA_STAFF, "npa"),
    ("coordinator", PARTNER_COORDINATOR, "jica"),
    ("manager", MANAGER, "npa"),
)


class Command(BaseCommand):
    help = "Development only: one account per role; passwords are printed once, when created."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts exist only in development (DJANGO_DEBUG=1).")
        users = get_user_model().objects
        created = []
        for username, role, organization_code in DEMO_ACCOUNTS:
            if users.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            user_create(
                username=username,
                password=password,
                role=role,
                organization=Organization.objects.get(code=organization_code),
            )
            created.append((username, role, password))
        if not created:
            self.stdout.write("Demo accounts exist already (passwords were printed when they were created).")
            return
        self.stdout.write(self.style.WARNING("Demo accounts (shown once; development only):"))
        for username, role, password in created:
            self.stdout.write(f"  {username:<12} {role:<20} {password}")
