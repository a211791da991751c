"""Personal data encrypted at rest, and exact-match search over it.

A database dump, a replica or a stolen backup must not reveal passport numbers or
medical notes, so those columns hold Fernet tokens (AES-128-CBC + HMAC-SHA256, random
IV) made with keys that live in the environment, never in the database.

`FIELD_ENCRYPTION_KEYS` is a list: the first key encrypts, every key decrypts. Rotation
puts a new key first, runs `manage.py rotate_encryption_keys` (which re-encrypts every
encrypted column with it), then drops the old key.

Random IVs make equal plaintexts differ, so the database cannot compare them. Where an
exact match is needed (finding a passport number), a `DigestField` beside the encrypted
column keeps an HMAC-SHA256 of the normalized value under `FIELD_DIGEST_KEY`. That key is
separate from the encryption keys so that rotating them does not invalidate every digest,
and a leaked digest key alone decrypts nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

TOKEN_PREFIX = "gAAAAA"  # every Fernet token (version 0x80 + timestamp) starts so


class DecryptionError(ImproperlyConfigured):
    """A stored value cannot be decrypted with any configured key."""


def _keys() -> tuple[str, ...]:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(key.strip() for key in keys if key.strip())


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be encrypted or read.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key number {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
            ) from None
    return MultiFernet(fernets)


def cipher() -> MultiFernet:
    return _fernet(_keys())


def encrypt(value: str | None) -> str | None:
    """A token for the value; empty and missing values stay as they are (nothing to hide)."""
    if value is None or value == "":
        return value
    return cipher().encrypt(str(value).encode()).decode("ascii")


def decrypt(token: str | None, *, column: str = "value") -> str | None:
    if token is None or token == "":
        return token
    try:
        return cipher().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError(
            f"The stored {column} cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: "
            "the key that encrypted it is missing, or the value was not written by this application."
        ) from None


def rotate(token: str | None) -> str | None:
    """The same plaintext, encrypted with the first key."""
    if token is None or token == "":
        return token
    try:
        return cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS; "
            "keep the old key in the list until rotation has finished."
        ) from None


def normalize_identifier(value: str) -> str:
    """Passport numbers are compared without case, spaces or hyphens, as they are read out."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def digest(value: str | None) -> str | None:
    normalized = normalize_identifier(value or "")
    if not normalized:
        return None
    key = getattr(settings, "FIELD_DIGEST_KEY", "")
    if not key:
        raise ImproperlyConfigured("FIELD_DIGEST_KEY is empty: encrypted identifiers cannot be searched.")
    return hmac.new(key.encode(), normalized.encode(), hashlib.sha256).hexdigest()


class EncryptedMixin:
    """Stores Fernet tokens in a text column; Python code sees the plaintext.

    Only `isnull` lookups make sense on ciphertext; anything else would silently match
    nothing, so it is refused (search through the field's `DigestField` instead).
    """

    def db_type(self, connection):
        return "text"

    def cast_db_type(self, connection):
        return "text"

    def get_prep_value(self, value):
        return encrypt(super().get_prep_value(value))

    def from_db_value(self, value, expression, connection):
        return decrypt(value, column=f"{self.model.__name__}.{self.name}")

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A short encrypted value: `max_length` limits the plaintext, the column is text."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    def __init__(self, *args, max_length=None, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        if max_length:
            self._validators = [*self._validators, MaxLengthValidator(max_length)]


class DigestField(models.CharField):
    """HMAC-SHA256 of another field's normalized value, set on every save and bulk insert."""

    description = "Keyed digest of another field"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class StaleDigestError(ValueError):
    """An update that would leave a digest not matching its encrypted value."""


class DigestKeepingQuerySet(models.QuerySet):
    """`update()` and `bulk_update()` that keep every `DigestField` in step with its source.

    Both bypass `save()`, and with it `DigestField.pre_save`: without this, changing a
    passport number through them would leave the old number's digest behind, and search
    would find the record under a number it no longer has. A plain value gets its digest
    computed here; an expression (F(), Case…) cannot be digested without the key, so it is
    refused, as is writing a digest on its own.
    """

    def update(self, **kwargs):
        for field in digest_fields(self.model):
            if field.source in kwargs:
                value = kwargs[field.source]
                if hasattr(value, "resolve_expression"):
                    raise StaleDigestError(
                        f"{self.model.__name__}.{field.source} has a digest; update it with a value, not an expression."
                    )
                kwargs[field.attname] = digest(value)
            elif field.name in kwargs or field.attname in kwargs:
                raise StaleDigestError(f"{self.model.__name__}.{field.name} is computed from {field.source}.")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        fields = list(fields)
        for field in digest_fields(self.model):
            if field.source in fields:
                for obj in objs:
                    if hasattr(getattr(obj, field.source), "resolve_expression"):
                        raise StaleDigestError(
                            f"{self.model.__name__}.{field.source} has a digest; set values, not expressions."
                        )
                    field.pre_save(obj, add=False)
                if field.name not in fields:
                    fields.append(field.name)
            elif field.name in fields:
                raise StaleDigestError(f"{self.model.__name__}.{field.name} is computed from {field.source}.")
        # Django writes a bulk update as update(field=Case(...)), which update() above would
        # refuse; the digests are already computed, so the plain queryset does the writing.
        plain = models.QuerySet(model=self.model, query=self.query.chain(), using=self._db)
        return plain.bulk_update(objs, fields, batch_size=batch_size)


def matches(field_name: str, value: str) -> Q:
    """Rows whose encrypted `field_name` equals `value` (normalized), via its digest column."""
    key = digest(value)
    return Q(**{f"{field_name}_digest": key}) if key else Q(pk__in=[])


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedMixin)]


def digest_fields(model) -> list[DigestField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, DigestField)]


# --- rewriting whole columns (data migrations, key rotation) -------------------------------

BATCH_SIZE = 500


def rewrite_columns(
    connection,
    table: str,
    columns: list[str],
    transform,
    *,
    digests: dict[str, str] | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Passes every non-empty value of `columns` through `transform(value) -> (stored, plaintext)`
    in primary-key batches, and refreshes each digest column (name -> source column) from the
    plaintext. Raw SQL: a rewrite is not an edit, so no history row, no `updated_at`.
    Returns the number of rows rewritten."""
    digests = digests or {}
    quote = connection.ops.quote_name
    pk = quote(connection.introspection.get_primary_key_column(connection.cursor(), table))
    selected = ", ".join(quote(column) for column in columns)
    assignments = ", ".join(f"{quote(column)} = %s" for column in [*columns, *digests])
    not_empty = " OR ".join(f"COALESCE({quote(column)}, '') <> ''" for column in columns)
    rewritten, last = 0, None
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {selected} FROM {quote(table)} WHERE ({not_empty})"
                + (f" AND {pk} > %s" if last is not None else "")
                + f" ORDER BY {pk} LIMIT %s",
                [last, batch_size] if last is not None else [batch_size],
            )
            rows = cursor.fetchall()
            for row_pk, *values in rows:
                stored, plain = {}, {}
                for column, value in zip(columns, values, strict=True):
                    stored[column], plain[column] = transform(value) if value else (value, value)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {assignments} WHERE {pk} = %s",
                    [*stored.values(), *(digest(plain[source]) for source in digests.values()), row_pk],
                )
        rewritten += len(rows)
        if len(rows) < batch_size:
            return rewritten
        last = rows[-1][0]


def encrypting(value: str | None) -> tuple[str | None, str | None]:
    return encrypt(value), value


def decrypting(value: str | None) -> tuple[str | None, str | None]:
    plaintext = decrypt(value)
    return plaintext, plaintext


def rotating(value: str | None) -> tuple[str | None, str | None]:
    return rotate(value), decrypt(value)


def rewrite_model(connection, model, transform, **kwargs) -> int:
    """`rewrite_columns` over a model's encrypted columns and digests."""
    columns = [field.column for field in encrypted_fields(model)]
    if not columns:
        return 0
    by_name = {field.name: field.column for field in model._meta.concrete_fields}
    digests = {field.column: by_name[field.source] for field in digest_fields(model)}
    # Concrete fields always have a column.
    return rewrite_columns(connection, model._meta.db_table, columns, transform, digests=digests, **kwargs)  # type: ignore[arg-type]


class DigestSearchAdminMixin:
    """Admin search that also finds an exact encrypted value (e.g. a whole passport number).

    `digest_search_fields` names encrypted fields with a `<name>_digest` column; they are
    searched only for users who may see personal data, as the plaintext fields were.
    """

    digest_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        from .privacy import hidden_fields

        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        searchable = [name for name in self.digest_search_fields if name not in hidden_fields(self.model, request.user)]
        term = search_term.strip()
        if not (searchable and term):
            return results, may_have_duplicates
        found = Q(pk__in=[])
        for name in searchable:
            found |= matches(name, term)
        return results | queryset.filter(found), may_have_duplicates
