"""Development only: officials abroad today, so the duty officer's map and headcount show something."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cooperation.models import Organization
from dispatch.choices import CheckInStatus, DeploymentKind, DeploymentStatus, EmergencyContactKind
from dispatch.models import Deployment, Expert
from dispatch.services import (
    checklist_item_mark,
    deployment_request,
    deployment_transition,
    emergency_contact_create,
    expert_create,
    safety_check_in_record,
)
from duty.models import OfficialTravel
from duty.services.travel import official_travel_create
from programs.models import Project
from programs.services import site_create

# The demo's staff account (create_demo_accounts) records everything.
ACTOR = "staff"
MARKER = "DEMO-ABROAD-1"

# personnel number, family, given, project code, duty country, city, site name,
# latitude, longitude, days since departure, days since the last check-in (None: never)
DEPLOYED = (
    (
        MARKER,
        "Sato",
        "Kenji",
        "idn-polmas-nationwide",
        "ID",
        "Jakarta",
        "Indonesian National Police Headquarters",
        "-6.23920",
        "106.80700",
        120,
        2,
    ),
    (
        "DEMO-ABROAD-2",
        "Takahashi",
        "Yumi",
        "idn-civilian-police",
        "ID",
        "Bekasi",
        "Bekasi community policing office",
        "-6.23830",
        "106.97560",
        45,
        3,
    ),
    # Silent for longer than the check-in interval: overdue on the map and the watch list.
    (
        "DEMO-ABROAD-3",
        "Ito",
        "Daisuke",
        "tls-community-policing-advice",
        "TL",
        "Dili",
        "PNTL General Command",
        "-8.55690",
        "125.56030",
        60,
        12,
    ),
)


def _aware(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


class Command(BaseCommand):
    help = (
        "Development only: three officials deployed today in Indonesia and Timor-Leste (with sites, "
        "check-ins and one overdue) and one on a trip to Manila. Does nothing if they are already there."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data exist only in development (DJANGO_DEBUG=1).")
        if Expert.all_objects.filter(personnel_number=MARKER).exists():
            self.stdout.write("Demo: officials abroad already loaded.")
            return
        actor = get_user_model().objects.filter(username=ACTOR).first()
        if actor is None:
            raise CommandError("The demo accounts are missing; run create_demo_accounts first.")
        today = timezone.localdate()
        npa = Organization.objects.get(code="npa")
        with transaction.atomic():
            for number, family, given, project_code, country, city, site, lat, lon, away, heard in DEPLOYED:
                expert = self._expert(number, family, given, npa, actor)
                project = Project.objects.get(code=project_code)
                site_create(
                    actor=actor,
                    name=site,
                    country=country,
                    city=city,
                    latitude=Decimal(lat),
                    longitude=Decimal(lon),
                    projects=[project],
                )
                deployment = deployment_request(
                    actor=actor,
                    kind=DeploymentKind.TECHNICAL_COOPERATION,
                    project=project,
                    country=country,
                    city=city,
                    post="Community policing advisor",
                    planned_start=today - timedelta(days=away),
                    planned_end=today + timedelta(days=365 - away),
                )
                self._send(deployment, expert, actor, on=today - timedelta(days=away))
                safety_check_in_record(deployment=deployment, status=CheckInStatus.OK, actor=actor, at=_aware(heard))
            traveller = self._expert("DEMO-ABROAD-4", "Suzuki", "Aiko", npa, actor)
            official_travel_create(
                actor=actor,
                traveller=traveller,
                purpose=OfficialTravel.Purpose.CONFERENCE,
                country="PH",
                city="Manila",
                latitude=Decimal("14.59950"),
                longitude=Decimal("120.98420"),
                departure_on=today - timedelta(days=1),
                return_on=today + timedelta(days=3),
                status=OfficialTravel.Status.DEPARTED,
            )
        self.stdout.write(
            self.style.SUCCESS("Demo: four officials abroad in Indonesia, Timor-Leste and the Philippines.")
        )

    def _expert(self, number: str, family: str, given: str, organization: Organization, actor) -> Expert:
        expert = expert_create(
            actor=actor,
            personnel_number=number,
            family_name=family,
            given_name=given,
            organization=organization,
            passport_number=f"TK{number[-1]}000000",
            passport_expiry=timezone.localdate() + timedelta(days=3650),
            medical_clearance_until=timezone.localdate() + timedelta(days=730),
            contacts_confirmed_on=timezone.localdate(),
        )
        emergency_contact_create(
            actor=actor,
            expert=expert,
            kind=EmergencyContactKind.NEXT_OF_KIN,
            name=f"{family} Hanako",
            relation="spouse",
            phone="+81-90-0000-0000",
        )
        return expert

    def _send(self, deployment: Deployment, expert: Expert, actor, *, on) -> None:
        """Through the lifecycle as staff would: nominate, prepare, tick off the checklist, depart."""
        deployment = deployment_transition(
            deployment=deployment, to=DeploymentStatus.NOMINATED, actor=actor, expert=expert
        )
        deployment = deployment_transition(deployment=deployment, to=DeploymentStatus.PREPARING, actor=actor)
        for item in deployment.checklist.filter(required=True):
            checklist_item_mark(item=item, done=True, actor=actor)
        deployment_transition(deployment=deployment, to=DeploymentStatus.DEPLOYED, actor=actor, on=on)
