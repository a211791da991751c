"""The evacuation list: who is in a country now and whom to call, for print and as XLSX.

It holds personal data (the officials' emergency contacts), so every copy handed out,
printed page or workbook, is written to the export audit first, in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cooperation.audit import PersonalDataExport
from cooperation.network import client_address
from cooperation.privacy import personal_fields_of
from cooperation.spreadsheets import Sheet, workbook_bytes
from dispatch.models import EmergencyContact

from .selectors import Presence, PresenceKind, officials_present

CONTACT_FIELDS = ("kind", "name", "relation", "phone", "email")


@dataclass(frozen=True)
class EvacuationRow:
    presence: Presence
    contacts: list[EmergencyContact]


def evacuation_rows(on: date, country: str) -> list[EvacuationRow]:
    """Everyone present in `country` on `on`, each with their emergency contacts (three queries)."""
    present = officials_present(on, countries=[country])
    contacts: dict[int, list[EmergencyContact]] = defaultdict(list)
    for contact in EmergencyContact.objects.filter(expert_id__in={p.expert_id for p in present}).order_by(
        "expert_id", "kind", "pk"
    ):
        contacts[contact.expert_id].append(contact)
    return [EvacuationRow(presence, contacts[presence.expert_id]) for presence in present]


def audit_evacuation_list(request: HttpRequest, rows: list[EvacuationRow], *, channel: str) -> None:
    contact_count = sum(len(row.contacts) for row in rows)
    with transaction.atomic():
        PersonalDataExport.objects.create(
            actor=request.user,  # type: ignore[misc]  # the views let only signed-in staff this far
            model=EmergencyContact._meta.label,
            record_count=contact_count,
            exported_fields=list(CONTACT_FIELDS),
            personal_columns=sorted(personal_fields_of(EmergencyContact) & set(CONTACT_FIELDS)),
            address=client_address(request),
            channel=channel,
        )


def evacuation_workbook(rows: list[EvacuationRow], *, country_name: str, on: date) -> bytes:
    """One row per official and contact; an official without contacts still has a row."""
    sheet = Sheet(title=_("Evacuation list"))
    sheet.append([_("Evacuation list: %(country)s on %(date)s") % {"country": country_name, "date": on}], bold=True)
    sheet.append(
        [
            _("Official"),
            _("Kind"),
            _("Place"),
            _("Until"),
            _("Last check-in"),
            _("Check-in overdue"),
            _("Contact"),
            _("Contact kind"),
            _("Relation"),
            _("Phone"),
            _("E-mail"),
        ],
        bold=True,
    )
    for row in rows:
        presence = row.presence
        official = [
            presence.name,
            PresenceKind(presence.kind).label,
            presence.place,
            presence.end,
            presence.last_check_in,
            _("yes") if presence.check_in_overdue else _("no"),
        ]
        if not row.contacts:
            sheet.append([*official, "", "", "", "", ""])
        for contact in row.contacts:
            sheet.append(
                [*official, contact.name, contact.get_kind_display(), contact.relation, contact.phone, contact.email]
            )
    return workbook_bytes([sheet])
