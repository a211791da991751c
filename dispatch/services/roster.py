"""Writes with rules for the roster."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cooperation.models import CooperationField
from cooperation.services import Actor, audited_save, model_update, record_create, record_update
from cooperation.validation import refusal

from ..choices import EmergencyContactKind
from ..models import EmergencyContact, Expert, ExpertLanguage


def _save_expert(
    expert: Expert,
    *,
    actor: Actor,
    specialties: Iterable[CooperationField] | None,
    languages: Iterable[tuple[str, int]] | None,
) -> Expert:
    """Validate and save; `specialties` and `languages` (code, level), when given, replace the lists."""
    audited_save(expert, actor=actor)
    if specialties is not None:
        expert.specialties.set(specialties)
    if languages is not None:
        languages = list(languages)
        codes = [code for code, _level in languages]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            message = _("Each language is listed once: %(codes)s.") % {"codes": ", ".join(duplicates)}
            raise refusal("languages", message, "duplicate")
        expert.languages.exclude(language__in=codes).delete()
        for code, level in languages:
            skill = expert.languages.filter(language=code).first() or ExpertLanguage(expert=expert, language=code)
            if skill.pk is None or skill.level != level:
                skill.level = level
                audited_save(skill, actor=actor)
    return expert


@transaction.atomic
def expert_create(
    *,
    actor: Actor,
    specialties: Iterable[CooperationField] | None = None,
    languages: Iterable[tuple[str, int]] | None = None,
    **data: Any,
) -> Expert:
    """Put an expert on the roster, with their specialties and languages (code, level)."""
    return _save_expert(Expert(**data), actor=actor, specialties=specialties, languages=languages)


@transaction.atomic
def expert_update(
    *,
    expert: Expert,
    actor: Actor,
    specialties: Iterable[CooperationField] | None = None,
    languages: Iterable[tuple[str, int]] | None = None,
    **data: Any,
) -> Expert:
    """Change an expert; `specialties` and `languages`, when given, replace the lists."""
    model_update(expert, data)
    return _save_expert(expert, actor=actor, specialties=specialties, languages=languages)


@transaction.atomic
def expert_language_create(*, actor: Actor, **data: Any) -> ExpertLanguage:
    """One language of an expert, at a level from 1 to 5; the same language twice is refused."""
    return record_create(ExpertLanguage, actor=actor, **data)


@transaction.atomic
def expert_language_update(*, expert_language: ExpertLanguage, actor: Actor, **data: Any) -> ExpertLanguage:
    return record_update(expert_language, actor=actor, **data)


def emergency_contacts_unconfirmed(expert: Expert, on: date) -> str | None:
    """Why the expert's emergency contacts do not yet allow a departure on `on`, or None.

    A next of kin must be on file, and the official must have confirmed the contacts
    within the last `CONTACTS_CONFIRMATION_DAYS` days.
    """
    if not expert.emergency_contacts.filter(kind=EmergencyContactKind.NEXT_OF_KIN).exists():
        return _("Emergency contacts: no next of kin is on file for %(expert)s.") % {"expert": expert}
    days = settings.CONTACTS_CONFIRMATION_DAYS
    confirmed = expert.contacts_confirmed_on
    if confirmed is None or confirmed < on - timedelta(days=days):
        return _(
            "Emergency contacts: %(expert)s last confirmed them on %(date)s; "
            "they must be confirmed within %(days)s days before departure."
        ) % {"expert": expert, "date": confirmed.isoformat() if confirmed else _("never"), "days": days}
    return None


@transaction.atomic
def emergency_contact_create(*, actor: Actor, **data: Any) -> EmergencyContact:
    return record_create(EmergencyContact, actor=actor, **data)


@transaction.atomic
def emergency_contact_update(*, emergency_contact: EmergencyContact, actor: Actor, **data: Any) -> EmergencyContact:
    return record_update(emergency_contact, actor=actor, **data)
