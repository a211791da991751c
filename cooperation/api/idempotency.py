"""`Idempotency-Key` on POST: a retried request gets the first answer, nothing is created twice.

The same key with the same body within the retention window replays the stored answer
(with `Idempotent-Replayed: true`); the same key with another body is a 422; a retry
that arrives while the first request is still running is a 409.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, status

from cooperation.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with a different request body."
    default_code = "idempotency_key_reused"


class KeyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."
    default_code = "idempotency_key_in_flight"


class Replay(Exception):
    """Raised to answer with the stored response instead of handling the request again."""

    def __init__(self, record: IdempotencyRecord):
        self.record = record


def retention() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_RETENTION_HOURS", 24))


def request_digest(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(request.content_type.encode() if request.content_type else b"")
    digest.update(request._request.body)
    return digest.hexdigest()


def claim(request) -> IdempotencyRecord | None:
    """Reserve the key for this request, or raise Replay / KeyReused / KeyInFlight."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key or not request.user.is_authenticated:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [_("At most %(n)d characters.") % {"n": MAX_KEY_LENGTH}]}, code="max_length"
        )
    digest = request_digest(request)
    IdempotencyRecord.objects.filter(user=request.user, key=key, created_at__lt=timezone.now() - retention()).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=request.user, key=key, request_digest=digest)
    except IntegrityError:
        existing = IdempotencyRecord.objects.get(user=request.user, key=key)
    if existing.request_digest != digest:
        raise KeyReused()
    if existing.status_code is None:
        raise KeyInFlight()
    raise Replay(existing)


def settle(record: IdempotencyRecord, response) -> None:
    """Keep the answer for replays; forget the key when the server failed, so a retry runs."""
    if response.status_code >= 500:
        record.delete()
        return
    record.status_code = response.status_code
    record.response_body = response.data
    record.save(update_fields=["status_code", "response_body"])
