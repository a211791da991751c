"""Who may see personal data: one policy for the API, the admin, exports and reports.

Personal data are dates of birth, passports, medical clearances and notes, and contact
details. A model declares which of its fields hold them, once:

    class Trainee(TimeStampedModel):
        personal_fields = ("date_of_birth", "email", "phone", "passport_number", "passport_expiry")

Only the roles in `PERSONAL_DATA_ROLES` (agency staff) and superusers see them. Serializers
inheriting `PersonalDataMixin` drop every field whose source is personal (absent, not
null) for everyone else; `RestrictedAdmin` leaves them out of lists, forms, searches and
history; reports and exports contain no personal field at all.
"""

from __future__ import annotations

from django.apps import apps

from .roles import NPA_STAFF, roles_of

PERSONAL_DATA_ROLES = frozenset({NPA_STAFF})


def can_see_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or PERSONAL_DATA_ROLES & roles_of(user)))


def personal_fields_of(model) -> frozenset[str]:
    """The fields the model declares personal (none for most models)."""
    return frozenset(getattr(model, "personal_fields", ()))


def models_with_personal_data() -> list:
    return [model for model in apps.get_models() if personal_fields_of(model)]


def hidden_fields(model, user) -> frozenset[str]:
    """The model's fields this user may not see."""
    return frozenset() if can_see_personal_data(user) else personal_fields_of(model)


class PersonalDataMixin:
    """Drops the model's personal fields unless the requesting user may see personal data.

    A field counts as personal when its source is one of the model's `personal_fields`
    (whatever the serializer calls it) or it is named in the serializer's own
    `Meta.personal_fields` (for values derived from personal data).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if can_see_personal_data(getattr(request, "user", None)):
            return
        declared = set(getattr(self.Meta, "personal_fields", ()))
        personal = personal_fields_of(getattr(self.Meta, "model", None)) | declared
        for name, field in list(self.fields.items()):
            if name in personal or (field.source or name).split(".")[0] in personal:
                self.fields.pop(name)
