"""Who of ours is abroad on a given day: one read over deployments and official travel.

Boundaries (tested in tests/test_presence.py):
- A deployment counts once it has departed (deployed, returned or closed: the actual start
  is recorded) from its actual start through its expected end (the actual end once
  recorded, else the planned end), both days included. Requested, nominated, preparing
  and cancelled deployments never count: nobody has left.
- An official trip counts when it departed or returned (it took place) from its departure
  through its return day, both included; planned and cancelled trips never count.
- An archived expert who is abroad still counts: archiving withdraws a record from the
  lists of people to send, it does not bring anyone home, and a duty officer must not
  lose sight of an official because of a roster clean-up.
- The distance filter `near` is computed in Python (haversine on a 6,371 km sphere) over
  the day's presences, which are few; officials without known coordinates are left out
  of it, since nothing says they are within the radius.
- The check-in state is the current one (`dispatch.reminders.missed_check_ins`, the rule
  the daily reminders use) for deployments still under way; trips record no check-ins.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, CharField, F, IntegerField, OuterRef, Q, Subquery, TextChoices, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispatch.choices import DeploymentStatus
from dispatch.models import Deployment, Expert, SafetyCheckIn
from dispatch.models.deployments import WENT_ABROAD
from dispatch.reminders import missed_check_ins
from programs.models import Site

from .models import OfficialTravel

EARTH_RADIUS_KM = 6371.0


class PresenceKind(TextChoices):
    DEPLOYMENT = "deployment", _("Deployment")
    TRAVEL = "travel", _("Official travel")


TRAVEL_TOOK_PLACE = (OfficialTravel.Status.DEPARTED, OfficialTravel.Status.RETURNED)


@dataclass(frozen=True)
class Presence:
    expert_id: int
    name: str
    kind: str
    source: str
    country: str
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    start: date
    end: date | None
    last_check_in: datetime | None
    check_in_overdue: bool


def great_circle_km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _person(expert: Expert) -> str:
    return f"{expert.family_name.upper()} {expert.given_name}"


def _place(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def _deployments_present(on: date, countries: list[str] | None) -> list[Presence]:
    # The project's site in the duty country, the one in the duty city first.
    site = (
        Site.objects.filter(
            projects=OuterRef("project_id"),
            country=OuterRef("country"),
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .annotate(
            elsewhere=Case(
                When(city__iexact=OuterRef("city"), then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("elsewhere", "pk")
    )
    latest = SafetyCheckIn.objects.filter(deployment=OuterRef("pk")).order_by("-at", "-pk")
    # Safety first: an official whose planned return has passed with no return recorded is
    # not known to be home, so stays on the list (up to today) until the return is recorded.
    return_overdue = (
        Q(actual_end__isnull=True, status=DeploymentStatus.DEPLOYED) if on <= timezone.localdate() else Q(pk__in=[])
    )
    deployments = (
        Deployment.objects.filter(status__in=WENT_ABROAD, expert__isnull=False, actual_start__lte=on)
        .filter(Q(actual_end__gte=on) | Q(actual_end__isnull=True, planned_end__gte=on) | return_overdue)
        .annotate(
            site_name=Subquery(site.values("name")[:1], output_field=CharField()),
            site_latitude=Subquery(site.values("latitude")[:1]),
            site_longitude=Subquery(site.values("longitude")[:1]),
            last_check_in_at=Subquery(latest.values("at")[:1]),
            expected_end=Coalesce(F("actual_end"), F("planned_end")),
        )
        .select_related("expert")
        .order_by("country", "expert__family_name", "pk")
    )
    if countries is not None:
        deployments = deployments.filter(country__in=countries)
    now = timezone.now()
    found = []
    for deployment in deployments:
        assert deployment.expert is not None and deployment.actual_start is not None  # filtered above
        under_way = deployment.status == DeploymentStatus.DEPLOYED
        found.append(
            Presence(
                expert_id=deployment.expert_id,  # type: ignore[arg-type]  # filtered: has an expert
                name=_person(deployment.expert),
                kind=PresenceKind.DEPLOYMENT,
                source=f"dispatch.deployment:{deployment.pk}",
                country=str(deployment.country),
                place=_place(deployment.site_name or "", deployment.city),
                latitude=deployment.site_latitude,
                longitude=deployment.site_longitude,
                start=deployment.actual_start,
                end=deployment.expected_end,
                last_check_in=deployment.last_check_in_at,
                check_in_overdue=under_way
                and missed_check_ins(
                    last_check_in=deployment.last_check_in_at, departed_on=deployment.actual_start, now=now
                )
                >= 1,
            )
        )
    return found


def _travels_present(on: date, countries: list[str] | None) -> list[Presence]:
    travels = (
        OfficialTravel.objects.filter(status__in=TRAVEL_TOOK_PLACE, departure_on__lte=on, return_on__gte=on)
        .select_related("traveller")
        .order_by("country", "traveller__family_name", "pk")
    )
    if countries is not None:
        travels = travels.filter(country__in=countries)
    return [
        Presence(
            expert_id=travel.traveller_id,
            name=_person(travel.traveller),
            kind=PresenceKind.TRAVEL,
            source=f"duty.officialtravel:{travel.pk}",
            country=str(travel.country),
            place=travel.city,
            latitude=travel.latitude,
            longitude=travel.longitude,
            start=travel.departure_on,
            end=travel.return_on,
            last_check_in=None,
            check_in_overdue=False,
        )
        for travel in travels
    ]


def officials_present(
    on: date,
    *,
    countries: Iterable[str] | None = None,
    near: tuple[Decimal, Decimal, Decimal] | None = None,
) -> list[Presence]:
    """Who is abroad on `on`, by country then name; two queries whatever the number of rows.

    `countries` limits to those ISO 3166 alpha-2 codes; `near=(latitude, longitude,
    radius_km)` to those whose known coordinates lie within the radius (great-circle
    distance, computed in Python).
    """
    codes = [code.upper() for code in countries] if countries is not None else None
    found = _deployments_present(on, codes) + _travels_present(on, codes)
    if near is not None:
        latitude, longitude, radius_km = near
        found = [
            presence
            for presence in found
            if presence.latitude is not None
            and presence.longitude is not None
            and great_circle_km(latitude, longitude, presence.latitude, presence.longitude) <= radius_km
        ]
    return sorted(found, key=lambda presence: (presence.country, presence.name, presence.source))
