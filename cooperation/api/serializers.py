"""Serializer pieces every resource shares, and the reference-data serializers."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import relations, serializers
from rest_framework.exceptions import ErrorDetail

from cooperation.access import STAFF_ONLY_MESSAGE, in_scope_of, is_scoped_for, organization_of
from cooperation.models import CooperationField, Organization, Region
from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR, roles_of, sees_everything

from .errors import validation_error_from_django
from .links import TemplatedIdentityField
from .rows import PlannedRowsMixin

# Serializer class → its fields as ModelSerializer builds them from the model. Building
# reads every model field's options (a write's largest single cost after the database);
# a copy of the built fields is the same fields, at a fraction of the cost.
_built_fields: dict[type, dict] = {}


def _copy_of(field):
    """A built field for one serializer instance.

    DRF copies a field by constructing it again from its arguments, copied deeply. A field
    that holds no other field only gains state of its own when it is bound to its
    serializer (name, parent, source), which a shallow copy keeps apart: it costs about a
    fifth as much (a deployment's 28 such fields: 0.83 ms → 0.15 ms). A serializer, a
    list of references or a field with a child binds the fields it holds to itself, so
    those are constructed again as DRF does.
    """
    if isinstance(field, (serializers.BaseSerializer, relations.ManyRelatedField)) or hasattr(field, "child"):
        return copy.deepcopy(field)
    return copy.copy(field)


class CooperationSerializer(PlannedRowsMixin, serializers.HyperlinkedModelSerializer):
    """Adds `id` and `display`; `brief=True` keeps only `Meta.brief_fields`."""

    serializer_url_field = TemplatedIdentityField

    id = serializers.IntegerField(read_only=True)
    display = serializers.SerializerMethodField()

    def get_fields(self):
        """The fields built once per class and copied for each instance: building depends
        only on the class (its Meta and declared fields), never on the request; what
        depends on the request is set on the copies, in `__init__`."""
        built = _built_fields.get(type(self))
        if built is None:
            built = _built_fields[type(self)] = super().get_fields()
        return {name: _copy_of(field) for name, field in built.items()}

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
            # DRF trims surrounding whitespace before it counts; the schema's maxLength counts
            # what was sent, so a text one character too long is refused whatever it holds.
            too_long = {
                name: field
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not field.read_only
                and field.max_length is not None
                and isinstance(data.get(name), str)
                and len(data[name]) > field.max_length
            }
            if too_long:
                raise serializers.ValidationError(
                    {
                        name: [
                            ErrorDetail(
                                field.error_messages["max_length"].format(max_length=field.max_length),
                                code="max_length",
                            )
                        ]
                        for name, field in too_long.items()
                    }
                )
        return super().to_internal_value(data)

    def refuse_staff_only(self, attrs) -> None:
        """Fields only agency staff fill in (`Meta.staff_only_fields`), refused for others
        before the model's validation can say anything about the records they name."""
        user = request_user(self)
        if user is None or sees_everything(user, "change"):
            return
        given = [name for name in getattr(self.Meta, "staff_only_fields", ()) if attrs.get(name) not in (None, "")]
        if given:
            raise serializers.ValidationError(
                {name: [ErrorDetail(str(STAFF_ONLY_MESSAGE), code="staff_only")] for name in given}
            )

    def validate(self, attrs):
        """Run the model's own validation (constraints included) before saving.

        This turns a duplicate or an invalid combination into a field-level 400 instead
        of an IntegrityError; the database constraint still guards concurrent writes.
        """
        attrs = super().validate(attrs)
        self.refuse_staff_only(attrs)
        if getattr(self.context.get("view"), "services_validate", False):
            # The service the view calls runs the same validation on the record it saves.
            return attrs
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


class NestedRowSerializer(PlannedRowsMixin, serializers.ModelSerializer):
    """Rows listed inside a record (its history, its checklist), written through a row plan."""


def request_user(field):
    """The user a serializer (or one of its fields) answers, or None outside a request."""
    request = field.context.get("request")
    return getattr(request, "user", None)


# The context key under which a viewset names the serializer of its answer, so that a
# serializer built inside it (a method field's) knows it is not answering the page.
ANSWER_ROOT = "answer_root"


class ScopedManyRelatedField(serializers.ManyRelatedField):
    """A list of references that leaves out the records outside the caller's scope."""

    def to_representation(self, iterable):
        return [item for item in super().to_representation(iterable) if item is not None]


if TYPE_CHECKING:
    _ReferenceField = relations.RelatedField
else:
    _ReferenceField = object


class ScopedReferenceMixin(_ReferenceField):
    """A reference resolved and shown within the caller's scope: the one rule for references.

    For a caller without staff rights, a record outside their scope does not exist: an id
    or code naming it is looked up in the restricted queryset and so fails exactly as an
    unknown one (same status, code and message), before any domain validation runs; and
    such a record, referenced by a row the caller may read, reads as null (left out of
    lists). Staff and managers, who read every record, resolve and see everything.
    """

    _scoped_models: dict[type, bool] | None = None

    def get_queryset(self):
        return in_scope_of(request_user(self), super().get_queryset())

    @classmethod
    def many_init(cls, *args, **kwargs):
        # As RelatedField.many_init, with the list that leaves hidden records out.
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in relations.MANY_RELATION_KWARGS})
        return ScopedManyRelatedField(**list_kwargs)

    def _hidden(self, obj) -> bool:
        model = type(obj)
        # The field lives for one answer: who asks, and so whether the model is scoped for
        # them, is settled at the first row.
        scoped = self._scoped_models
        if scoped is None:
            scoped = self._scoped_models = {}
        if model not in scoped:
            scoped[model] = is_scoped_for(request_user(self), model)
        if not scoped[model]:
            return False
        user = request_user(self)
        # Whether each referenced record is visible, asked once per answer: a single
        # record asks for itself; the first row of a list asks for every record the page
        # references through this field; a reference nested in a list inside a list (whose
        # page cannot be seen from here) loads the caller's scope of that model once.
        label = model._meta.label_lower
        # The context is a dict (the stubs say Mapping): it carries what one answer has learnt.
        known = self.context.setdefault("_visible_references", {}).setdefault(label, {})  # type: ignore[attr-defined]
        whole = self.context.setdefault("_whole_scopes_loaded", set())  # type: ignore[attr-defined]
        if obj.pk not in known and label not in whole:
            scope = in_scope_of(user, model._default_manager.all())
            on_page = self._referenced_on_page()
            if on_page is None:
                known.update(dict.fromkeys(scope.values_list("pk", flat=True), True))
                whole.add(label)
            else:
                asked = on_page | {obj.pk}
                visible = set(scope.filter(pk__in=asked).values_list("pk", flat=True))
                known.update({pk: pk in visible for pk in asked})
        return not known.get(obj.pk, False)

    def _referenced_on_page(self) -> set | None:
        """The ids this field references across the rows of the list being answered
        (none besides the one at hand for a single record; None when it cannot tell)."""
        holder = self.parent if isinstance(self.parent, serializers.ManyRelatedField) else self
        root = self.root
        answer = self.context.get(ANSWER_ROOT, root)
        if root is not answer or (isinstance(root, serializers.ListSerializer) and holder.parent is not root.child):
            return None  # a serializer nested in the answer: its rows are not the page
        if not isinstance(root, serializers.ListSerializer):
            return set()
        found = set()
        for row in root.instance or ():
            value = holder.get_attribute(row)
            for item in value if holder is not self else [value]:  # type: ignore[union-attr]  # many: a list
                if item is not None:
                    found.add(item.pk)
        return found

    def to_representation(self, obj):
        return None if self._hidden(obj) else self.represent(obj)


class CodeRelatedField(ScopedReferenceMixin, serializers.SlugRelatedField):
    """A reference written as the target's code and read as {id, code, display}."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # PostgreSQL cannot compare text holding NUL; such a code matches nothing anyway.
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)

    def represent(self, obj):
        return {"id": obj.pk, "code": obj.code, "display": str(obj)}

    def use_pk_only_optimization(self):
        return False


class BriefRelatedField(ScopedReferenceMixin, serializers.PrimaryKeyRelatedField):
    """A reference written as the target's id and read as {id, display} (plus code if it has one)."""

    def represent(self, obj):
        brief = {"id": obj.pk, "display": str(obj)}
        if hasattr(obj, "code"):
            brief["code"] = obj.code
        return brief

    def use_pk_only_optimization(self):
        return False


@extend_schema_field({"type": "string", "description": "Username for staff; role and organization for others."})
class ActorField(serializers.Field):
    """Who did something: the username for staff; for anyone else the role and organization.

    Partners and managers need to know that the agency (or their own colleague) acted,
    not which member of staff, whose account name is no business of theirs.
    """

    ROLE_LABELS = {
        NPA_STAFF: _("NPA staff"),
        MANAGER: _("Manager"),
        PARTNER_COORDINATOR: _("Partner coordinator"),
    }

    _names_staff: bool | None = None

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, user):
        # Settled at the first row: the field lives for one answer, to one reader.
        if self._names_staff is None:
            reader = request_user(self)
            self._names_staff = reader is not None and sees_everything(reader, "change")
        if self._names_staff:
            return user.get_username()
        # Rows of one answer share few actors: describe each once.
        described = self.context.setdefault("_actors", {})
        if user.pk not in described:
            described[user.pk] = self.describe(user)
        return described[user.pk]

    def describe(self, user) -> str:
        if user.is_superuser:
            return str(self.ROLE_LABELS[NPA_STAFF])
        role = next((name for name in (NPA_STAFF, MANAGER, PARTNER_COORDINATOR) if name in roles_of(user)), None)
        label = str(self.ROLE_LABELS[role]) if role else str(_("User"))
        if role == NPA_STAFF:
            return label
        organization = organization_of(user)
        return f"{label} ({organization.acronym or organization.name})" if organization else label


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
    parent = CodeRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)  # type: ignore[assignment]  # a declared field, moved off the class by DRF

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
