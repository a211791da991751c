from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cooperation.services import api_token_issue


class Command(BaseCommand):
    help = "Issue a named API token for a user and print its key once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for")
        parser.add_argument("--days", type=int, help="lifetime in days (default: API_TOKEN_LIFETIME_DAYS)")

    def handle(self, *args, username, name, days=None, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        expires_at = timezone.now() + timedelta(days=days) if days is not None else None
        try:
            token, key = api_token_issue(user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"{key}\n(expires {token.expires_at:%Y-%m-%d}; shown once)")
