import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch.models import SafetyCheckIn
from dispatch.tests.factories import DeploymentFactory, ExpertFactory, ProjectFactory
from duty.models import OfficialTravel
from duty.selectors import great_circle_km, officials_present
from programs.tests.factories import SiteFactory

from .factories import OfficialTravelFactory, departed_deployment

pytestmark = pytest.mark.django_db

DAY = date(2031, 6, 15)


def sources(found):
    return {presence.source for presence in found}


def source_of(deployment):
    return f"dispatch.deployment:{deployment.pk}"


def test_departure_day_and_planned_return_day_both_count():
    leaving = departed_deployment(start=DAY, end=DAY + timedelta(days=30))
    coming_back = departed_deployment(start=DAY - timedelta(days=30), end=DAY)
    gone_back = departed_deployment(start=DAY - timedelta(days=30), end=DAY - timedelta(days=1))
    not_yet = departed_deployment(start=DAY + timedelta(days=1), end=DAY + timedelta(days=30))

    found = sources(officials_present(DAY))

    assert found == {source_of(leaving), source_of(coming_back)}
    assert source_of(gone_back) not in found and source_of(not_yet) not in found


def test_actual_return_replaces_the_planned_end():
    early = departed_deployment(start=DAY - timedelta(days=30), end=DAY + timedelta(days=30), returned_on=DAY)
    earlier = departed_deployment(
        start=DAY - timedelta(days=30), end=DAY + timedelta(days=30), returned_on=DAY - timedelta(days=1)
    )

    found = officials_present(DAY)

    assert sources(found) == {source_of(early)}
    assert found[0].end == DAY
    assert source_of(earlier) not in sources(found)


def test_an_official_past_the_planned_return_with_none_recorded_stays_on_the_list():
    today = timezone.localdate()
    overdue = departed_deployment(start=today - timedelta(days=30), end=today - timedelta(days=2))
    home = departed_deployment(
        start=today - timedelta(days=30), end=today - timedelta(days=2), returned_on=today - timedelta(days=2)
    )

    found = sources(officials_present(today))

    assert source_of(overdue) in found and source_of(home) not in found
    # A day still to come follows the plan: nobody is expected abroad past the planned end.
    assert source_of(overdue) not in sources(officials_present(today + timedelta(days=1)))


@pytest.mark.parametrize("status", ["requested", "nominated", "preparing", "cancelled"])
def test_deployments_that_did_not_depart_never_count(status):
    DeploymentFactory(status=status, planned_start=DAY - timedelta(days=5), planned_end=DAY + timedelta(days=5))

    assert officials_present(DAY) == []


def test_an_archived_expert_abroad_still_counts(staff_user):
    deployment = departed_deployment(start=DAY - timedelta(days=3), end=DAY + timedelta(days=3))
    expert = deployment.expert
    expert.archived_at = timezone.now()
    expert.archived_by = staff_user
    expert.save(update_fields=["archived_at", "archived_by"])

    found = officials_present(DAY)

    assert [presence.expert_id for presence in found] == [expert.pk]


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        (OfficialTravel.Status.PLANNED, False),
        (OfficialTravel.Status.DEPARTED, True),
        (OfficialTravel.Status.RETURNED, True),
        (OfficialTravel.Status.CANCELLED, False),
    ],
)
def test_travel_counts_when_it_took_place(status, counts):
    travel = OfficialTravelFactory(status=status, departure_on=DAY, return_on=DAY + timedelta(days=2))

    found = sources(officials_present(DAY))

    assert (f"duty.officialtravel:{travel.pk}" in found) is counts


def test_travel_by_its_dates():
    leaving = OfficialTravelFactory(departure_on=DAY, return_on=DAY + timedelta(days=3))
    returning = OfficialTravelFactory(departure_on=DAY - timedelta(days=3), return_on=DAY)
    OfficialTravelFactory(departure_on=DAY - timedelta(days=3), return_on=DAY - timedelta(days=1))
    OfficialTravelFactory(departure_on=DAY + timedelta(days=1), return_on=DAY + timedelta(days=3))

    found = officials_present(DAY)

    assert sources(found) == {f"duty.officialtravel:{leaving.pk}", f"duty.officialtravel:{returning.pk}"}
    assert {presence.kind for presence in found} == {"travel"}


def test_countries_limit_the_answer():
    indonesia = departed_deployment(start=DAY, end=DAY, country="ID")
    departed_deployment(start=DAY, end=DAY, country="TL")
    manila = OfficialTravelFactory(departure_on=DAY, country="PH")

    found = officials_present(DAY, countries=["id", "PH"])

    assert sources(found) == {source_of(indonesia), f"duty.officialtravel:{manila.pk}"}


def test_coordinates_come_from_the_projects_site_in_the_duty_city():
    project = ProjectFactory()
    SiteFactory(projects=[project], country="ID", city="Bekasi", latitude=Decimal("-6.2"), longitude=Decimal("107"))
    jakarta = SiteFactory(
        projects=[project], country="ID", city="Jakarta", latitude=Decimal("-6.17539"), longitude=Decimal("106.82715")
    )
    SiteFactory(projects=[project], country="TL", city="Jakarta", latitude=Decimal("-8.5"), longitude=Decimal("125.5"))
    departed_deployment(start=DAY, end=DAY, project=project, country="ID", city="Jakarta")
    departed_deployment(start=DAY, end=DAY, country="ID", city="Jakarta")  # a project without sites

    with_site, without_site = sorted(officials_present(DAY), key=lambda presence: presence.latitude is None)

    assert (with_site.latitude, with_site.longitude) == (jakarta.latitude, jakarta.longitude)
    assert with_site.place == f"{jakarta.name}, Jakarta"
    assert (without_site.latitude, without_site.longitude, without_site.place) == (None, None, "Jakarta")


def test_near_keeps_those_within_the_radius_and_drops_unknown_positions():
    # Jakarta to Bandung is about 120 km; Manila is some 2,800 km away.
    jakarta = (Decimal("-6.17539"), Decimal("106.82715"))
    bandung = OfficialTravelFactory(
        departure_on=DAY, country="ID", latitude=Decimal("-6.91746"), longitude=Decimal("107.61912")
    )
    OfficialTravelFactory(departure_on=DAY, country="PH", latitude=Decimal("14.5995"), longitude=Decimal("120.9842"))
    OfficialTravelFactory(departure_on=DAY, country="ID")
    distance = great_circle_km(*jakarta, bandung.latitude, bandung.longitude)

    within = officials_present(DAY, near=(*jakarta, Decimal(math.ceil(distance))))
    short = officials_present(DAY, near=(*jakarta, Decimal(int(distance) - 1)))

    assert 100 < distance < 140
    assert sources(within) == {f"duty.officialtravel:{bandung.pk}"}
    assert short == []


def test_last_check_in_and_the_overdue_rule(settings):
    settings.SAFETY_CHECKIN_INTERVAL_DAYS = 7
    today = timezone.localdate()
    now = timezone.now()
    heard = departed_deployment(start=today - timedelta(days=30), end=today + timedelta(days=30))
    SafetyCheckIn.objects.create(deployment=heard, at=now - timedelta(days=20), status="ok")
    recent = SafetyCheckIn.objects.create(deployment=heard, at=now - timedelta(days=2), status="ok")
    silent = departed_deployment(start=today - timedelta(days=30), end=today + timedelta(days=30))
    SafetyCheckIn.objects.create(deployment=silent, at=now - timedelta(days=8), status="ok")
    never = departed_deployment(start=today - timedelta(days=8), end=today + timedelta(days=30))
    new = departed_deployment(start=today, end=today + timedelta(days=30))

    found = {presence.source: presence for presence in officials_present(today)}

    assert found[source_of(heard)].last_check_in == recent.at
    assert not found[source_of(heard)].check_in_overdue
    assert found[source_of(silent)].check_in_overdue
    assert found[source_of(never)].last_check_in is None and found[source_of(never)].check_in_overdue
    assert not found[source_of(new)].check_in_overdue


def test_a_constant_number_of_queries(django_assert_num_queries):
    def add_rows():
        project = ProjectFactory()
        SiteFactory(projects=[project], country="ID", latitude=Decimal("-6.2"), longitude=Decimal("106.8"))
        deployment = departed_deployment(start=DAY, end=DAY, project=project)
        SafetyCheckIn.objects.create(deployment=deployment, at=timezone.now(), status="ok")
        OfficialTravelFactory(departure_on=DAY, traveller=ExpertFactory())

    add_rows()
    with django_assert_num_queries(2):
        assert len(officials_present(DAY)) == 2
    for _ in range(3):
        add_rows()
    with django_assert_num_queries(2):
        assert len(officials_present(DAY)) == 8
