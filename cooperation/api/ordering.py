"""`ordering=` that refuses what it cannot honour, instead of quietly sorting otherwise.

DRF's OrderingFilter drops unknown fields and falls back to the default order, so a
partner's typo returns a list in an order they did not ask for, and a probe cannot tell
a refused personal field from an unknown one. Here any term that is not one of the
resource's `ordering_fields` (with or without `-`), or that is personal data the caller
may not see, is a 400 naming the values allowed.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter

from cooperation.privacy import hidden_fields


def _reveals_hidden(model, path: str, user) -> bool:
    """Whether ordering by `path` (e.g. "trainee__date_of_birth") sorts by hidden personal data."""
    for name in path.split("__"):
        if name in hidden_fields(model, user):
            return True
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False  # an annotation: declared by the view, holds no field of its own
        model = field.related_model
        if model is None:
            return False
    return False


class StrictOrderingFilter(OrderingFilter):
    def allowed(self, queryset, view, request) -> list[str]:
        # Only what the view declares: the serializer's fields are not a list of sort keys.
        if getattr(view, "ordering_fields", None) is None:
            return []
        declared = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        return [name for name in declared if not _reveals_hidden(queryset.model, name, request.user)]

    def get_ordering(self, request, queryset, view):
        if self.ordering_param not in request.query_params:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in request.query_params.get(self.ordering_param, "").split(",")]
        allowed = self.allowed(queryset, view, request)
        refused = [term for term in terms if term.removeprefix("-") not in allowed]
        if refused:
            raise ValidationError({self.ordering_param: [self._refusal(refused, allowed)]})
        return terms

    def _refusal(self, refused: list[str], allowed: list[str]) -> ErrorDetail:
        if not allowed:
            message = _("This list cannot be ordered.")
        else:
            message = _("Cannot order by %(refused)s; use one of %(allowed)s (prefix - for descending).") % {
                "refused": ", ".join(f"“{term}”" for term in refused),
                "allowed": ", ".join(allowed),
            }
        return ErrorDetail(message, code="invalid_ordering")
