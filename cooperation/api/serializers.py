"""Serializer pieces every resource shares, and the reference-data serializers."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from cooperation.models import CooperationField, Organization, Region

from .errors import validation_error_from_django


class CooperationSerializer(serializers.HyperlinkedModelSerializer):
    """Adds `id` and `display`; `brief=True` keeps only `Meta.brief_fields`."""

    id = serializers.IntegerField(read_only=True)
    display = serializers.SerializerMethodField()

    def __init__(self, *args, brief: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if brief:
            for name in set(self.fields) - set(self.Meta.brief_fields):
                self.fields.pop(name)

    def get_display(self, obj) -> str:
        return str(obj)

    def to_internal_value(self, data):
        """A blank string is no value for a date, a number or a reference: send null.

        DRF would read "" as null for such fields; the schema says it is invalid, and
        a partner's script that sends it most likely meant something else.
        """
        if isinstance(data, Mapping):
            blank = [
                name
                for name, field in self.fields.items()
                if data.get(name) == ""
                and not field.read_only
                and not getattr(field, "allow_blank", False)
                and not isinstance(field, serializers.CharField)
            ]
            if blank:
                raise serializers.ValidationError(
                    {
                        name: [ErrorDetail(_("A blank string is not a value here; send null."), code="blank")]
                        for name in blank
                    }
                )
            # DRF would store 0 or 1.5 sent for a text as "0" / "1.5"; the schema says text is a string.
            not_text = [
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not field.read_only
                and data.get(name) is not None
                and not isinstance(data.get(name), str)
            ]
            if not_text:
                raise serializers.ValidationError(
                    {name: [ErrorDetail(_("Give a string."), code="invalid")] for name in not_text}
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        """Run the model's own validation (constraints included) before saving.

        This turns a duplicate or an invalid combination into a field-level 400 instead
        of an IntegrityError; the database constraint still guards concurrent writes.
        """
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise validation_error_from_django(exc) from None
        return attrs


class CodeRelatedField(serializers.SlugRelatedField):
    """A reference written as the target's code and read as {id, code, display}."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # PostgreSQL cannot compare text holding NUL; such a code matches nothing anyway.
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, obj):
        return {"id": obj.pk, "code": obj.code, "display": str(obj)}

    def use_pk_only_optimization(self):
        return False


class BriefRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference written as the target's id and read as {id, display} (plus code if it has one)."""

    def to_representation(self, obj):
        brief = {"id": obj.pk, "display": str(obj)}
        if hasattr(obj, "code"):
            brief["code"] = obj.code
        return brief

    def use_pk_only_optimization(self):
        return False


class RegionSerializer(CooperationSerializer):
    countries = serializers.ListField(child=CountryField(), required=False)

    class Meta:
        model = Region
        fields = (
            "id",
            "url",
            "display",
            "code",
            "name",
            "name_ja",
            "countries",
            "is_unodc_priority",
            "description",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "code")


class OrganizationSerializer(CooperationSerializer):
    country = CountryField(required=False, allow_blank=True)
    parent = CodeRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Organization
        fields = (
            "id",
            "url",
            "display",
            "code",
            "name",
            "name_ja",
            "acronym",
            "kind",
            "country",
            "parent",
            "website",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "code", "acronym")


class CooperationFieldSerializer(CooperationSerializer):
    class Meta:
        model = CooperationField
        fields = (
            "id",
            "url",
            "display",
            "code",
            "name",
            "name_ja",
            "dac_code",
            "description",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "code", "dac_code")
