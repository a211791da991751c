"""Experts and deployments as JSON. Writes go through dispatch.services (see views)."""

from __future__ import annotations

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from cooperation.access import organization_of
from cooperation.api.serializers import ActorField, CooperationSerializer, NestedRowSerializer
from cooperation.languages import validate_language_code
from cooperation.models import CooperationField, Organization
from cooperation.privacy import PersonalDataMixin
from cooperation.roles import sees_everything
from programs.models import Project, program_scope

from ..choices import CheckInStatus, ChecklistKind, DeploymentKind, DeploymentStatus, StandbySpecialty, Term
from ..models import (
    ChecklistItem,
    Deployment,
    DeploymentStatusChange,
    DisasterEvent,
    Expert,
    FigureCheckpoint,
    Mission,
    OpeningBalance,
    SafetyCheckIn,
)
from ..models.roster import STANDBY_FLAGS
from ..selectors import countries_of_experience
from ..services import PARTNER_REQUEST_KINDS, PAST_STATUSES, STAFF_ONLY_REQUEST_FIELDS
from .fields import BriefReference, CodeReference


def within_working_years(value):
    """Dates far outside any deployment would only overflow the date arithmetic."""
    if value is not None and not 1900 <= value.year <= 2200:
        raise serializers.ValidationError("Give a date between the years 1900 and 2200.", code="out_of_range")


PERSONAL_FIELDS = Expert.personal_fields


class LanguageSkillSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=2, validators=[validate_language_code], help_text="ISO 639-1 code")
    level = serializers.IntegerField(min_value=1, max_value=5, help_text="1 elementary … 5 native")


class ExpertSerializer(PersonalDataMixin, CooperationSerializer):
    organization = CodeReference(queryset=Organization.objects.all())
    specialties = CodeReference(queryset=CooperationField.objects.all(), many=True, required=False)
    languages = LanguageSkillSerializer(many=True, required=False)
    countries_of_experience = serializers.ListField(
        child=CountryField(), required=False, help_text="Entered by hand (ISO 3166 alpha-2)."
    )
    all_countries_of_experience = serializers.SerializerMethodField(
        help_text="Entered by hand and those of finished deployments."
    )

    class Meta:
        model = Expert
        fields = (
            "id",
            "url",
            "display",
            "personnel_number",
            "family_name",
            "given_name",
            "name_ja",
            "rank",
            "organization",
            "status",
            "gender",
            "date_of_birth",
            "email",
            "phone",
            "passport_number",
            "passport_expiry",
            "medical_clearance_until",
            "medical_notes",
            "safety_training_on",
            *STANDBY_FLAGS,
            "specialties",
            "languages",
            "countries_of_experience",
            "all_countries_of_experience",
            "notes",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "personnel_number")

    def get_all_countries_of_experience(self, expert) -> list[str]:
        return countries_of_experience(expert)

    def validate_languages(self, languages):
        codes = [skill["language"] for skill in languages]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError("Each language is listed once.", code="duplicate")
        return languages

    def validate(self, attrs):
        # Language skills are rows of their own, saved by the service, not a field to set.
        languages = attrs.pop("languages", None)
        attrs = super().validate(attrs)
        if languages is not None:
            attrs["languages"] = [(skill["language"], skill["level"]) for skill in languages]
        return attrs


class ChecklistItemSerializer(NestedRowSerializer):
    done_by = ActorField()

    class Meta:
        model = ChecklistItem
        fields = ("kind", "required", "done_at", "done_by", "note")
        read_only_fields = fields


class DeploymentSerializer(CooperationSerializer):
    expert = BriefReference(queryset=Expert.objects.all(), required=False, allow_null=True)
    project = CodeReference(queryset=Project.objects.all(), required=False, allow_null=True)
    host_organization = CodeReference(queryset=Organization.objects.all(), required=False, allow_null=True)
    mission = BriefReference(queryset=Mission.objects.all(), required=False, allow_null=True)
    requesting_organization = CodeReference(read_only=True)
    country = CountryField()
    term = serializers.ChoiceField(choices=Term.choices, read_only=True)
    approved_by = ActorField()
    checklist = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = Deployment
        fields = (
            "id",
            "url",
            "display",
            "kind",
            "status",
            "expert",
            "project",
            "host_organization",
            "mission",
            "requesting_organization",
            "country",
            "city",
            "post",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "term",
            "travel_advisory_level",
            "language_training_required",
            "approved_by",
            "approved_at",
            "checklist",
            "completion_report",
            "recognition",
            "notes",
            "retrospective",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("status", "approved_at", "completion_report", "recognition", "retrospective")
        brief_fields = ("id", "url", "display", "kind", "status")
        staff_only_fields = STAFF_ONLY_REQUEST_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if "project" in self.fields and user is not None and not sees_everything(user, "change"):
            # A partner can only name the projects it takes part in; others "do not exist".
            organization = organization_of(user)
            visible = Project.objects.filter(program_scope(organization)) if organization else Project.objects.none()
            self.fields["project"].queryset = visible
            self.fields["kind"].choices = [(k, v) for k, v in DeploymentKind.choices if k in PARTNER_REQUEST_KINDS]


class PastDeploymentSerializer(serializers.Serializer):
    """A deployment that already happened, recorded directly as returned or closed."""

    expert = BriefReference(queryset=Expert.all_objects.all())
    kind = serializers.ChoiceField(
        choices=DeploymentKind.choices, required=False, help_text="A mission's member takes the mission's kind."
    )
    project = CodeReference(queryset=Project.objects.all(), required=False, allow_null=True)
    host_organization = CodeReference(queryset=Organization.objects.all(), required=False, allow_null=True)
    mission = BriefReference(queryset=Mission.objects.all(), required=False, allow_null=True)
    country = CountryField(required=False, help_text="A mission's member takes the mission's country.")
    city = serializers.CharField(required=False, allow_blank=True, max_length=120)
    post = serializers.CharField(required=False, allow_blank=True, max_length=300)
    planned_start = serializers.DateField(required=False, help_text="The actual start when not given.")
    planned_end = serializers.DateField(required=False, help_text="The actual end when not given.")
    actual_start = serializers.DateField()
    actual_end = serializers.DateField()
    status = serializers.ChoiceField(choices=PAST_STATUSES, default=DeploymentStatus.RETURNED)
    completion_report = serializers.CharField(required=False, allow_blank=True)
    recognition = serializers.CharField(required=False, allow_blank=True, max_length=300)
    notes = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, help_text="The status history's note.")


class DeploymentStatusChangeSerializer(NestedRowSerializer):
    actor = ActorField()

    class Meta:
        model = DeploymentStatusChange
        fields = ("from_status", "to_status", "actor", "changed_at", "note", "retrospective")
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=DeploymentStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    on = serializers.DateField(
        required=False, allow_null=True, help_text="Day of departure or return; today when left out."
    )
    expert = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.all(),
        required=False,
        allow_null=True,
        help_text="The nominee, when moving to nominated.",
    )


class CompletionSerializer(serializers.Serializer):
    completion_report = serializers.CharField(max_length=20000)
    recognition = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ChecklistMarkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChecklistKind.choices)
    done = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SafetyCheckInSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(required=False, help_text="When the expert reported; now when left out.")
    status = serializers.ChoiceField(choices=CheckInStatus.choices)
    by = ActorField()

    class Meta:
        model = SafetyCheckIn
        fields = ("id", "at", "status", "note", "by")
        read_only_fields = ("id", "by")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    message = serializers.CharField()


class SkipReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["not_active", "deployed", "passport", "medical", "training"])
    message = serializers.CharField()


class CandidateExpertSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="__str__", read_only=True)
    organization = CodeReference(read_only=True)

    class Meta:
        model = Expert
        fields = ("id", "display", "personnel_number", "family_name", "given_name", "name_ja", "rank", "organization")
        read_only_fields = fields


class CandidateSerializer(serializers.Serializer):
    expert = CandidateExpertSerializer()
    score = serializers.IntegerField()
    reasons = ReasonSerializer(many=True)


class CandidateQuerySerializer(serializers.Serializer):
    country = CountryField()
    start = serializers.DateField()
    end = serializers.DateField()
    field = serializers.ListField(
        child=CodeReference(queryset=CooperationField.objects.all()),
        required=False,
        default=list,
    )
    language = serializers.ListField(child=serializers.CharField(max_length=8), required=False, default=list)
    term = serializers.ChoiceField(choices=Term.choices, required=False, allow_null=True, default=None)


class DeploymentCandidateQuerySerializer(serializers.Serializer):
    field = serializers.ListField(
        child=CodeReference(queryset=CooperationField.objects.all()),
        required=False,
        help_text="Cooperation field codes; the project's fields when left out.",
    )
    language = serializers.ListField(child=serializers.CharField(max_length=8), required=False, default=list)


# --- disasters and missions ----------------------------------------------------------------


class DisasterEventSerializer(CooperationSerializer):
    country = CountryField()

    class Meta:
        model = DisasterEvent
        fields = (
            "id",
            "url",
            "display",
            "name",
            "name_ja",
            "kind",
            "country",
            "occurred_on",
            "description",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "occurred_on")


class MissionSerializer(CooperationSerializer):
    disaster = BriefReference(queryset=DisasterEvent.objects.all(), required=False, allow_null=True)
    requesting_organization = CodeReference(queryset=Organization.objects.all(), required=False, allow_null=True)
    country = CountryField()
    officers = serializers.IntegerField(
        read_only=True, help_text="Police officers: the published number where given, else the members on record."
    )
    members = DeploymentSerializer(many=True, read_only=True, brief=True)

    class Meta:
        model = Mission
        fields = (
            "id",
            "url",
            "display",
            "name",
            "name_ja",
            "kind",
            "team_type",
            "disaster",
            "country",
            "requesting_party",
            "requesting_organization",
            "requested_on",
            "departure_on",
            "return_on",
            "status",
            "police_officers_reported",
            "officers",
            "persons_rescued",
            "victims_identified",
            "results",
            "source",
            "members",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "url", "display", "kind", "team_type")


class AssembleSerializer(serializers.Serializer):
    needs = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=500),
        help_text='Members wanted per standby specialty, e.g. {"rescue": 10, "dvi": 3}.',
    )
    start = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[within_working_years],
        help_text="The mission's departure by default.",
    )
    end = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[within_working_years],
        help_text="Its return, or two weeks, by default.",
    )

    def validate_needs(self, needs):
        unknown = sorted(set(needs) - set(StandbySpecialty.values))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown specialties: {', '.join(unknown)}; use {', '.join(StandbySpecialty.values)}.",
                code="invalid_choice",
            )
        if not needs:
            raise serializers.ValidationError("Name at least one specialty.", code="required")
        return needs


class BriefExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display = serializers.CharField(source="__str__")


class SkippedSerializer(serializers.Serializer):
    expert = BriefExpertSerializer()
    reasons = SkipReasonSerializer(many=True)


class AssemblySerializer(serializers.Serializer):
    members = DeploymentSerializer(many=True, brief=True)
    skipped = SkippedSerializer(many=True)
    shortfall = serializers.DictField(child=serializers.IntegerField())


class ReadinessSerializer(serializers.Serializer):
    specialty = serializers.ChoiceField(choices=StandbySpecialty.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, moved off the class by DRF
    members = serializers.IntegerField()
    ready = serializers.IntegerField()
    not_ready = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Members held back by each reason: not_active, passport, medical, training, deployed "
        "(a member may have several).",
    )


class ReadinessQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, validators=[within_working_years])


FIGURE_STATEMENT_FIELDS = (
    "id",
    "url",
    "display",
    "figure",
    "as_of",
    "value",
    "source_title",
    "source_document",
)


class FigureCheckpointSerializer(CooperationSerializer):
    class Meta:
        model = FigureCheckpoint
        fields = (*FIGURE_STATEMENT_FIELDS, "created_at", "updated_at")
        brief_fields = ("id", "url", "display", "figure", "as_of", "value")


class OpeningBalanceSerializer(CooperationSerializer):
    class Meta:
        model = OpeningBalance
        fields = (*FIGURE_STATEMENT_FIELDS, "explanation", "created_at", "updated_at")
        brief_fields = ("id", "url", "display", "figure", "as_of", "value")
