"""The portfolio resources as JSON. Writes go through programs.services (see views)."""

from __future__ import annotations

from typing import Any

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from cooperation.api.serializers import (
    ActorField,
    BriefRelatedField,
    CodeRelatedField,
    CooperationSerializer,
    NestedRowSerializer,
)
from cooperation.models import CooperationField, Organization, Region

from ..models import (
    DisaggregationCategory,
    Event,
    Funding,
    Indicator,
    IndicatorPeriod,
    Measurement,
    PeriodValue,
    PeriodValueEvidence,
    Program,
    ProgramPartner,
    Project,
    Site,
    StrategicGoal,
)


def field_codes(**kwargs) -> CodeRelatedField:
    return CodeRelatedField(queryset=CooperationField.objects.all(), many=True, required=False, **kwargs)


def organization_code(**kwargs) -> CodeRelatedField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_null", True)
    return CodeRelatedField(queryset=Organization.objects.all(), **kwargs)


class WithCooperationFields:
    """Adds the `fields` reference list; a declared attribute of that name would hide
    the serializer's own `fields` property."""

    def get_fields(self):
        declared = super().get_fields()
        declared["fields"] = field_codes()
        return declared


class PartnershipSerializer(NestedRowSerializer):
    organization = CodeRelatedField(queryset=Organization.objects.all())

    class Meta:
        model = ProgramPartner
        fields = ("organization", "role")
        # Uniqueness of (program, organization, role) is checked by the program's service.
        validators: list[Any] = []


class ProgramSerializer(WithCooperationFields, CooperationSerializer):
    country = CountryField(required=False, allow_blank=True)
    counterpart = organization_code()
    partners = PartnershipSerializer(source="partnerships", many=True, required=False)
    priority_regions = CodeRelatedField(queryset=Region.objects.all(), many=True, required=False)
    strategic_goals = serializers.ListField(
        child=serializers.ChoiceField(choices=StrategicGoal.choices), required=False
    )

    class Meta:
        model = Program
        fields = (
            "id",
            "url",
            "display",
            "code",
            "title",
            "title_ja",
            "kind",
            "country",
            "counterpart",
            "partners",
            "fields",
            "start_date",
            "end_date",
            "status",
            "objectives",
            "description",
            "description_ja",
            "strategic_goals",
            "priority_regions",
            "publication",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("publication",)
        brief_fields = ("id", "url", "display", "code", "title")

    def validate_partners(self, partners):
        pairs = [(p["organization"].pk, p["role"]) for p in partners]
        if len(pairs) != len(set(pairs)):
            raise serializers.ValidationError("An organization is listed twice in the same role.", code="duplicate")
        return partners

    def validate(self, attrs):
        # The partnerships are a set of rows of their own, not a field of the program.
        partnerships = attrs.pop("partnerships", None)
        attrs = super().validate(attrs)
        if partnerships is not None:
            attrs["partners"] = [(p["organization"], p["role"]) for p in partnerships]
        return attrs


class ProjectSerializer(WithCooperationFields, CooperationSerializer):
    program = CodeRelatedField(queryset=Program.objects.all())
    country = CountryField(required=False, allow_blank=True)
    counterpart = organization_code()

    class Meta:
        model = Project
        fields = (
            "id",
            "url",
            "display",
            "program",
            "code",
            "title",
            "title_ja",
            "country",
            "counterpart",
            "fields",
            "start_date",
            "end_date",
            "status",
            "description",
            "description_ja",
            "publication",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("publication",)
        brief_fields = ("id", "url", "display", "code", "title")


class SiteSerializer(CooperationSerializer):
    country = CountryField()
    organization = organization_code()
    projects = CodeRelatedField(queryset=Project.objects.all(), many=True, required=False)

    class Meta:
        model = Site
        fields = (
            "id",
            "url",
            "display",
            "code",
            "name",
            "name_ja",
            "kind",
            "projects",
            "organization",
            "city",
            "country",
            "latitude",
            "longitude",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "code", "name")


class FundingSerializer(CooperationSerializer):
    program = CodeRelatedField(queryset=Program.objects.all())
    project = CodeRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)
    organization = CodeRelatedField(queryset=Organization.objects.all())

    class Meta:
        model = Funding
        fields = (
            "id",
            "url",
            "display",
            "program",
            "project",
            "organization",
            "fiscal_year",
            "amount",
            "currency",
            "note",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "fiscal_year", "amount", "currency")


class IndicatorSerializer(CooperationSerializer):
    project = CodeRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True, help_text="Empty for a program indicator."
    )
    program = CodeRelatedField(
        queryset=Program.objects.all(), required=False, allow_null=True, help_text="For a program indicator only."
    )
    latest_value = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True, allow_null=True)
    latest_period_end = serializers.DateField(read_only=True, allow_null=True)
    progress = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="Share of the way from baseline to target reached by the latest value (1 = target met).",
    )

    class Meta:
        model = Indicator
        fields = (
            "id",
            "url",
            "display",
            "project",
            "program",
            "parent",
            "name",
            "name_ja",
            "unit",
            "aggregation",
            "direction",
            "period_kind",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "description",
            "latest_value",
            "latest_period_end",
            "progress",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "name", "unit")

    def get_fields(self):
        # Declared here: an attribute named `parent` would hide the serializer's own.
        declared = super().get_fields()
        declared["parent"] = BriefRelatedField(
            queryset=Indicator.objects.all(),
            required=False,
            allow_null=True,
            help_text="The program indicator a project indicator rolls up to.",
        )
        return declared


class MeasurementSerializer(CooperationSerializer):
    indicator = BriefRelatedField(queryset=Indicator.objects.all())
    reported_by = CodeRelatedField(read_only=True)

    class Meta:
        model = Measurement
        fields = (
            "id",
            "url",
            "display",
            "indicator",
            "period_end",
            "value",
            "source",
            "note",
            "reported_by",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "period_end", "value")


class EventSerializer(WithCooperationFields, CooperationSerializer):
    program = CodeRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    country = CountryField(required=False)
    participating_countries = serializers.ListField(child=CountryField(), required=False)
    organizers = CodeRelatedField(queryset=Organization.objects.all(), many=True, required=False)

    class Meta:
        model = Event
        fields = (
            "id",
            "url",
            "display",
            "code",
            "name",
            "name_ja",
            "kind",
            "program",
            "start_date",
            "end_date",
            "place",
            "country",
            "participating_countries",
            "participant_count",
            "fields",
            "organizers",
            "description",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "code", "name", "start_date")


class IndicatorPeriodSerializer(CooperationSerializer):
    indicator = BriefRelatedField(read_only=True)

    class Meta:
        model = IndicatorPeriod
        fields = ("id", "url", "display", "indicator", "start", "end", "target", "locked", "created_at", "updated_at")
        brief_fields = ("id", "url", "display", "start", "end")


class BreakdownSerializer(serializers.Serializer):
    category = BriefRelatedField(queryset=DisaggregationCategory.objects.all())
    amount = serializers.DecimalField(max_digits=16, decimal_places=4)


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PeriodValueEvidence
        fields = ("id", "name", "content_type", "size")


class PeriodValueSerializer(CooperationSerializer):
    """A value reported for a period. Coordinators create values for their organization's
    indicators (submitted for review); staff approve or return them."""

    period = BriefRelatedField(queryset=IndicatorPeriod.objects.all())
    breakdown = BreakdownSerializer(many=True, required=False, help_text="Amounts per category of a disaggregation.")
    evidence = EvidenceSerializer(many=True, read_only=True)
    organization = CodeRelatedField(read_only=True)
    entered_by = ActorField()
    reviewed_by = ActorField()
    reviewed_at = serializers.DateTimeField(read_only=True)
    return_reason = serializers.CharField(read_only=True)

    class Meta:
        model = PeriodValue
        fields = (
            "id",
            "url",
            "display",
            "period",
            "value",
            "comment",
            "breakdown",
            "evidence",
            "status",
            "source",
            "organization",
            "entered_by",
            "reviewed_by",
            "reviewed_at",
            "return_reason",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "value", "status")
        read_only_fields = ("status", "source")

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["breakdown"] = {row["category"]: row["amount"] for row in values.get("breakdown", [])}
        return values


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the value goes back; the partner reads it.")
