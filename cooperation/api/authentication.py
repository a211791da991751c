"""Token authentication with named, expiring, revocable tokens."""

from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from cooperation.auth_backends import ACCOUNT_COLUMNS, remember_account
from cooperation.models import ApiToken

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@cache
def _token_query() -> tuple[str, Sequence[Field], Sequence[Field]]:
    """One statement for the token, its user and the user's account (roles and
    permissions): every API request starts with it, so it is written once, in SQL, and
    saves the ORM's compiling and a second round trip on each request."""
    user_model = get_user_model()
    token_fields, user_fields = ApiToken._meta.concrete_fields, user_model._meta.concrete_fields
    quote = connection.ops.quote_name
    # Concrete fields always have a column; the stubs allow None for the others (ignores below).
    columns = [f"token.{quote(field.column)}" for field in token_fields]  # type: ignore[arg-type]
    columns += [f"account.{quote(field.column)}" for field in user_fields]  # type: ignore[arg-type]
    sql = (
        f"SELECT {', '.join(columns)}, {ACCOUNT_COLUMNS.format(user='account.' + quote(user_model._meta.pk.column))}"  # type: ignore[arg-type]
        f" FROM {quote(ApiToken._meta.db_table)} token"
        f" JOIN {quote(user_model._meta.db_table)} account"
        f" ON account.{quote(user_model._meta.pk.column)} = token.{quote(ApiToken._meta.get_field('user').column)}"  # type: ignore[arg-type]
        " WHERE token.digest = %(digest)s"
    )
    return sql, token_fields, user_fields


def _loaded(model, fields, values):
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def token_of(key: str) -> ApiToken | None:
    """The token of this key with its user, the user's account already read; or None."""
    sql, token_fields, user_fields = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"digest": ApiToken.digest_of(key)})
        row = cursor.fetchone()
    if row is None:
        return None
    user_start = len(token_fields)
    account_start = user_start + len(user_fields)
    token = _loaded(ApiToken, token_fields, row[:user_start])
    token.user = _loaded(get_user_model(), user_fields, row[user_start:account_start])
    remember_account(token.user, row[account_start:])
    return token


class ApiTokenAuthentication(BaseAuthentication):
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be 'Token <key>'."), code="invalid_header"
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="invalid_token") from None
        token = token_of(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="invalid_token")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."), code="token_revoked")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."), code="token_expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."), code="user_inactive")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"
