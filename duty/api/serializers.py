from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework import serializers

from ..selectors import PresenceKind


class PresenceQuerySerializer(serializers.Serializer):
    """`on` (default today) and any number of `country` codes."""

    on = serializers.DateField(required=False, help_text=_("The day; today when left out."))
    country = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        required=False,
        help_text=_("ISO 3166 alpha-2 codes; repeat the parameter for several."),
    )

    def validate_country(self, codes: list[str]) -> list[str]:
        unknown = sorted(code for code in codes if code.upper() not in countries)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)}, code="invalid_choice"
            )
        return [code.upper() for code in codes]


class PresenceSerializer(serializers.Serializer):
    expert = serializers.IntegerField(source="expert_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=PresenceKind.choices)
    # The serializer's metaclass takes declared fields off the class: no clash with Field.source.
    source = serializers.CharField()  # type: ignore[assignment]
    country = serializers.CharField()
    place = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    last_check_in = serializers.DateTimeField(allow_null=True)
    check_in_overdue = serializers.BooleanField()
