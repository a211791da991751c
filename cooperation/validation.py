"""Refusals with a machine-readable code on the field they concern."""

from django.core.exceptions import ValidationError


def refusal(field: str, message: str, code: str) -> ValidationError:
    # A dict of plain strings would drop the code; each message carries its own.
    return ValidationError({field: ValidationError(message, code=code)})
