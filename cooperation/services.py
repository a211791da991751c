"""Writes with rules for the cooperation app: API tokens, reference data, accounts."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, CooperationField, Organization, Region, UserProfile
from .roles import manages_partner_accounts
from .selectors import may_manage_account
from .validation import refusal

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who a change is credited to in the record's history: a user, or None for the system's own
# writes (reference data, scheduled tasks).
Actor: TypeAlias = "User | None"

ModelT = TypeVar("ModelT", bound=models.Model)

REFERENCE_DATA_FILE = Path(__file__).resolve().parent / "reference_data" / "reference_data.json"


def model_update(instance: models.Model, changes: dict[str, Any]) -> None:
    """Set `changes` on the record (not saved): the one way a service or a viewset applies
    new values before validating and saving them. A name that is not an editable field of
    the record is a bug in the caller, not bad input."""
    editable = {f.name for f in instance._meta.concrete_fields if f.editable and not f.primary_key}
    unknown = set(changes) - editable
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no editable field {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(instance, name, value)


def audited_save(instance: models.Model, *, actor: Actor = None) -> None:
    """Validate and save one record, crediting the change to `actor` in its history."""
    instance.full_clean()
    if actor is not None:
        instance._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    instance.save()


def record_create(model: type[ModelT], *, actor: Actor, **data: Any) -> ModelT:
    """A new record of `model` with `data`: the plain create of a service whose record has
    no rules beyond its own validation and constraints."""
    record = model(**data)
    audited_save(record, actor=actor)
    return record


def record_update(record: ModelT, *, actor: Actor, **data: Any) -> ModelT:
    """The plain update counterpart of `record_create`."""
    model_update(record, data)
    audited_save(record, actor=actor)
    return record


@transaction.atomic
def record_delete(record: models.Model, *, actor: Actor) -> None:
    """Delete one record, crediting the deletion to `actor` in its history: the plain delete
    of a record whose app has no rule about deleting it."""
    if actor is not None:
        record._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    record.delete()


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, expires_at: datetime | None = None, actor: Actor = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is never stored nor shown again."""
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name, digest=ApiToken.digest_of(key), hint=key[:8])
    if expires_at is not None:
        token.expires_at = expires_at
    audited_save(token, actor=actor)
    return token, key


@transaction.atomic
def api_token_update(*, api_token: ApiToken, actor: Actor, **data: Any) -> ApiToken:
    """Change what may change of a token after it is issued (its expiry): never its key."""
    return record_update(api_token, actor=actor, **data)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        audited_save(token, actor=actor)
    return token


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def upsert_by_code(
    model: type[ModelT],
    code: str,
    values: dict[str, Any],
    *,
    report: LoadReport,
    kind: str,
    related: Mapping[str, Collection[models.Model]] | None = None,
) -> ModelT:
    """Create or update the row with this code, writing only what differs, and count it in
    `report` under `kind`; `related` names many-to-many sets to make exactly the lists given.
    The one way the reference-data loaders write, so running one twice changes nothing."""
    found: ModelT | None = model.objects.filter(code=code).first()  # type: ignore[attr-defined]  # every coded model has `objects`
    created = found is None
    instance = model(code=code) if found is None else found
    changed = created or any(getattr(instance, name) != value for name, value in values.items())
    if changed:
        model_update(instance, values)
        audited_save(instance)
    for name, wanted in (related or {}).items():
        manager = getattr(instance, name)
        if {obj.pk for obj in wanted} != set(manager.values_list("pk", flat=True)):
            manager.set(wanted)
            changed = True
    report.count(kind, created, changed)
    return instance


@transaction.atomic
def reference_data_load(*, path: Path = REFERENCE_DATA_FILE) -> LoadReport:
    """Load regions, fields and organizations; running it twice changes nothing."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    for row in data["regions"]:
        values = {
            k: row.get(k, default)
            for k, default in (
                ("name", ""),
                ("name_ja", ""),
                ("countries", []),
                ("is_unodc_priority", False),
                ("description", ""),
            )
        }
        values["countries"] = sorted(values["countries"])
        upsert_by_code(Region, row["code"], values, report=report, kind="regions")
    for row in data["fields"]:
        values = {k: row.get(k, "") for k in ("name", "name_ja", "dac_code", "description")}
        upsert_by_code(CooperationField, row["code"], values, report=report, kind="fields")
    for row in data["organizations"]:
        parent = Organization.objects.get(code=row["parent"]) if row.get("parent") else None
        values = {k: row.get(k, "") for k in ("name", "name_ja", "acronym", "kind", "country")}
        values["parent"] = parent
        upsert_by_code(Organization, row["code"], values, report=report, kind="organizations")
    return report


@transaction.atomic
def user_create(
    *, username: str, password: str | None, role: str, organization: Organization, email: str = "", actor: Actor = None
) -> User:
    """An account in one role and one organization; staff may enter the admin. Without a
    password (None) the account cannot log in with one (API tokens only).

    Staff open partner accounts only; a staff account is opened by a superuser (or by the
    system: `createsuperuser`, the demo), so no staff member can make a second reviewer."""
    from .roles import NPA_STAFF, PARTNER_ROLES, ROLES

    if role not in ROLES:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(ROLES)}."})
    if actor is not None and not actor.is_superuser and role not in PARTNER_ROLES:
        raise refusal("role", _("Only a superuser may open a staff account."), "staff_by_superuser")
    if actor is not None and not manages_partner_accounts(actor):
        raise PermissionDenied(_("Your role may not open accounts."))
    user = get_user_model().objects.create_user(
        username=username, password=password, email=email, is_staff=role == NPA_STAFF
    )
    user.groups.add(Group.objects.get(name=role))
    audited_save(UserProfile(user=user, organization=organization), actor=actor)
    return user


def user_profile_create(*, actor: Actor, **data: Any) -> UserProfile:
    """An account's profile (its organization), as the user admin's inline adds it."""
    return record_create(UserProfile, actor=actor, **data)


def user_profile_update(*, profile: UserProfile, actor: Actor, **data: Any) -> UserProfile:
    return record_update(profile, actor=actor, **data)


def _require_manages(actor: User, user: User) -> None:
    # Out of reach answers as nothing there, as everywhere else.
    if not may_manage_account(actor, user):
        raise PermissionDenied(_("You may not manage this account."))


@transaction.atomic
def user_password_reset(*, user: User, actor: User) -> str:
    """Retire the account's password and return a one-time token for the set-password page
    (`password_reset_confirm`): it stops working once a password is set, or after
    PASSWORD_RESET_TIMEOUT."""
    _require_manages(actor, user)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return default_token_generator.make_token(user)


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Close an account: no login and no API access; its records and history stay."""
    _require_manages(actor, user)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user
