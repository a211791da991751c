"""Who may see personal data, declared once for the API, the admin, exports and reports.

Personal data: dates of birth, passports, medical clearances, contact details. Only
agency staff (the `npa_staff` role) and superusers see them. A serializer lists its
personal fields in `Meta.personal_fields` and inherits `PersonalDataMixin`; the fields are
then absent (not null: absent) for everyone else.
"""

from __future__ import annotations

from .roles import NPA_STAFF, roles_of


def can_see_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or NPA_STAFF in roles_of(user)))


class PersonalDataMixin:
    """Drops `Meta.personal_fields` unless the requesting user may see personal data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if not can_see_personal_data(getattr(request, "user", None)):
            for name in getattr(self.Meta, "personal_fields", ()):
                self.fields.pop(name, None)
