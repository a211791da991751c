"""Opening an incident with its roll call, marking the officials, closing it with a record.

Who is in the area: every official present (duty.selectors.officials_present) on the
day the incident occurred. When the area has a circle, the circle decides for everyone
whose position is known, and the listed countries add those whose position is not (they
may be anywhere in the country, so they are asked); without a circle, the countries decide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.services import audited_save
from cooperation.validation import refusal

from ..cap import CapError, feed_alert_links, parse_cap
from ..models import (
    ACCOUNTED_FOR,
    Incident,
    IncidentSource,
    IncidentStatus,
    RollCallEntry,
    RollCallStatus,
    RollCallStatusChange,
)
from ..selectors import Presence, officials_present

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def officials_in_area(incident: Incident) -> list[Presence]:
    """The officials present in the incident's area on the day it occurred, one each."""
    day = timezone.localdate(incident.occurred_at)
    if incident.latitude is not None:
        assert incident.longitude is not None and incident.radius_km is not None  # a complete circle (constraint)
        found = officials_present(day, near=(incident.latitude, incident.longitude, incident.radius_km))
        if incident.countries:
            found += [p for p in officials_present(day, countries=incident.countries) if p.latitude is None]
    else:
        found = officials_present(day, countries=incident.countries)
    first: dict[int, Presence] = {}
    for presence in found:
        first.setdefault(presence.expert_id, presence)
    return list(first.values())


@transaction.atomic
def incident_open(*, actor: User | None, **data: Any) -> Incident:
    """Record the incident and open its roll call of everyone in the area at that time."""
    incident = Incident(**data, status=IncidentStatus.OPEN, opened_by=actor)
    audited_save(incident, actor=actor)
    RollCallEntry.objects.bulk_create(
        RollCallEntry(
            incident=incident,
            expert_id=presence.expert_id,
            presence_source=presence.source,
            country=presence.country,
            place=presence.place[:200],
        )
        for presence in officials_in_area(incident)
    )
    return incident


def incident_import_cap(*, actor: User | None, data: bytes) -> tuple[Incident, bool]:
    """The incident of a CAP alert, opened unless this alert (sender and identifier) already was.

    Returns the incident and whether it is new. A malformed alert raises ValidationError
    on `file` and writes nothing.
    """
    try:
        alert = parse_cap(data)
    except CapError as exc:
        raise refusal("file", str(exc), "invalid_cap") from None
    existing = _cap_incident(alert.sender, alert.identifier)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return incident_open(actor=actor, **alert.incident_data()), True
    except IntegrityError:
        # The same alert imported at the same moment (the poll and an upload): the first wins.
        raced = _cap_incident(alert.sender, alert.identifier)
        if raced is None:
            raise
        return raced, False


def _cap_incident(sender: str, identifier: str) -> Incident | None:
    return Incident.objects.filter(source=IncidentSource.CAP, cap_sender=sender, cap_identifier=identifier).first()


def _require_open(incident: Incident) -> None:
    if incident.status != IncidentStatus.OPEN:
        raise refusal("status", _("The incident is closed; its roll call can no longer change."), "closed")


@transaction.atomic
def roll_call_mark(*, entry: RollCallEntry, status: str, actor: User, note: str = "") -> RollCallEntry:
    """Mark one official safe, not reached or needing help; every mark stays in the history."""
    entry = RollCallEntry.objects.select_for_update().select_related("incident").get(pk=entry.pk)
    _require_open(entry.incident)
    if status == RollCallStatus.UNACCOUNTED or status not in RollCallStatus.values:
        raise refusal("status", _("Mark the official safe, not reached or needing help."), "invalid_choice")
    previous = entry.status
    entry.status = status
    entry.marked_at = timezone.now()
    entry.marked_by = actor
    entry.note = note
    entry.full_clean()
    entry.save()
    RollCallStatusChange.objects.create(entry=entry, from_status=previous, to_status=status, actor=actor, note=note)
    return entry


def _unaccounted(incident: Incident) -> int:
    return incident.roll_call.exclude(status__in=ACCOUNTED_FOR).count()


@transaction.atomic
def incident_close(*, incident: Incident, actor: User, note: str = "", override_reason: str = "") -> Incident:
    """Close the incident once everyone is accounted for, or with the reason why not."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_open(incident)
    open_count = _unaccounted(incident)
    if open_count and not override_reason.strip():
        raise refusal(
            "override_reason",
            _("%(count)d officials are not accounted for; give the reason for closing anyway.") % {"count": open_count},
            "unaccounted",
        )
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.closed_by = actor
    incident.closing_note = note
    incident.override_reason = override_reason.strip() if open_count else ""
    audited_save(incident, actor=actor)
    return incident


def incident_import_cap_feed(*, url: str, fetch: Callable[[str], bytes]) -> list[tuple[Incident, bool]]:
    """Import what the feed at `url` offers: one alert, or each alert an Atom feed links to.

    Of a feed, an alert that cannot be read is passed over (the next poll finds it
    again) and the others import.
    """
    document = fetch(url)
    links = feed_alert_links(document, url)
    if links is None:
        return [incident_import_cap(actor=None, data=document)]
    imported = []
    for link in links:
        try:
            imported.append(incident_import_cap(actor=None, data=fetch(link)))
        except (CapError, ValidationError):
            continue
    return imported
