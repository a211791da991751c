"""Incidents: who is in the area, the roll call to its end, reminders once per cause, closing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cooperation.notifications.models import Notification, NotificationKind
from dispatch.tests.factories import ExpertFactory
from duty.models import Incident, IncidentStatus, OfficialTravel, RollCallEntry, RollCallStatus
from duty.reminders import roll_call_reminders_send
from duty.selectors import great_circle_km
from duty.services import incident_close, incident_import_cap, incident_open, roll_call_mark
from duty.stats_incidents import unaccounted_in_open_roll_calls

from .cap_files import write_alert
from .factories import OfficialTravelFactory, departed_deployment

pytestmark = pytest.mark.django_db

# The alert's onset, 1 December 2026 09:12 in Tokyo, and its circle: 50 km around Kathmandu.
DAY = date(2026, 12, 1)
CENTRE = (Decimal("27.70000"), Decimal("85.32000"))


def _trip(*, latitude, longitude, departure_on=DAY - timedelta(days=3), return_on=DAY + timedelta(days=3), **kwargs):
    kwargs.setdefault("country", "NP")
    return OfficialTravelFactory(
        latitude=latitude, longitude=longitude, departure_on=departure_on, return_on=return_on, **kwargs
    )


@pytest.fixture
def officials_around_kathmandu():
    """Who is where on the day, each with the reason they are in or out of the area."""
    # 0.46° of latitude north of the centre: just over 51 km away.
    beyond = _trip(latitude=Decimal("28.16000"), longitude=CENTRE[1], city="Nuwakot")
    assert 50 < great_circle_km(*CENTRE, beyond.latitude, beyond.longitude) < 52
    return {
        "in_circle": _trip(latitude=Decimal("27.71000"), longitude=Decimal("85.31000"), city="Kathmandu"),
        "just_outside": beyond,
        "returned_the_day_before": _trip(
            latitude=Decimal("27.71000"),
            longitude=Decimal("85.31000"),
            departure_on=DAY - timedelta(days=10),
            return_on=DAY - timedelta(days=1),
            status=OfficialTravel.Status.RETURNED,
        ),
        # Deployed in the country with no known position: they may be in the circle.
        "position_unknown": departed_deployment(
            start=DAY - timedelta(days=60), end=DAY + timedelta(days=300), country="NP", city="Lalitpur"
        ),
        "other_country": _trip(latitude=Decimal("27.70000"), longitude=Decimal("88.50000"), country="IN"),
    }


def _listed(incident) -> set[int]:
    return set(incident.roll_call.values_list("expert_id", flat=True))


def _expert_ids(officials, *names) -> set[int]:
    return {
        officials[name].traveller_id if hasattr(officials[name], "traveller_id") else officials[name].expert_id
        for name in names
    }


def test_a_cap_circle_lists_exactly_the_officials_within_it_on_that_day(
    tmp_path, staff_user, officials_around_kathmandu
):
    data = write_alert(tmp_path).read_bytes()
    incident, created = incident_import_cap(actor=staff_user, data=data)
    assert created and incident.status == IncidentStatus.OPEN
    assert (incident.latitude, incident.longitude, incident.radius_km) == (*CENTRE, 50)
    assert _listed(incident) == _expert_ids(officials_around_kathmandu, "in_circle", "position_unknown")
    entry = incident.roll_call.get(expert_id=officials_around_kathmandu["in_circle"].traveller_id)
    travel = officials_around_kathmandu["in_circle"]
    assert (entry.country, entry.place, entry.presence_source) == (
        "NP",
        "Kathmandu",
        f"duty.officialtravel:{travel.pk}",
    )
    assert entry.status == RollCallStatus.UNACCOUNTED


def test_a_cap_country_lists_everyone_in_the_country_that_day(tmp_path, staff_user, officials_around_kathmandu):
    incident, _ = incident_import_cap(actor=staff_user, data=write_alert(tmp_path, circle=None).read_bytes())
    assert incident.countries == ["NP"] and incident.latitude is None
    assert _listed(incident) == _expert_ids(officials_around_kathmandu, "in_circle", "just_outside", "position_unknown")


def test_the_same_alert_imported_twice_is_one_incident(tmp_path, staff_user, officials_around_kathmandu):
    data = write_alert(tmp_path).read_bytes()
    first, _ = incident_import_cap(actor=staff_user, data=data)
    again, created = incident_import_cap(actor=None, data=data)
    assert (again.pk, created) == (first.pk, False)
    assert Incident.objects.count() == 1
    assert RollCallEntry.objects.count() == len(_listed(first))


def test_a_malformed_alert_is_refused_on_the_file_and_nothing_is_saved(
    tmp_path, staff_user, officials_around_kathmandu
):
    with pytest.raises(ValidationError) as refused:
        incident_import_cap(actor=staff_user, data=write_alert(tmp_path, circle="27.7,85.3").read_bytes())
    assert list(refused.value.error_dict) == ["file"]
    assert not Incident.objects.exists() and not RollCallEntry.objects.exists()


def _incident_with(*officials, actor):
    """A manual incident whose roll call lists the given officials (on trips to TR today)."""
    today = timezone.localdate()
    for expert in officials:
        OfficialTravelFactory(traveller=expert, country="TR", departure_on=today, return_on=today + timedelta(days=2))
    return incident_open(
        actor=actor, kind="unrest", title="Unrest in Ankara", countries=["TR"], occurred_at=timezone.now()
    )


def _roll_call_notifications() -> int:
    return Notification.objects.filter(kind=NotificationKind.ROLL_CALL).count()


def test_the_roll_call_to_completion_with_reminders_once_per_window(staff_user, settings):
    settings.ROLL_CALL_REMINDER_HOURS = 4
    first, second = ExpertFactory(), ExpertFactory()
    incident = _incident_with(first, second, actor=staff_user)
    opened = incident.created_at
    window = timedelta(hours=4)

    assert roll_call_reminders_send(now=opened + window - timedelta(minutes=1)) == []
    roll_call_reminders_send(now=opened + window + timedelta(minutes=1))
    roll_call_reminders_send(now=opened + 2 * window - timedelta(minutes=1))
    assert _roll_call_notifications() == 1  # one staff member, one window
    reminder = Notification.objects.get(kind=NotificationKind.ROLL_CALL)
    assert reminder.recipient == staff_user and "2 officials unaccounted for" in reminder.subject

    entries = {entry.expert_id: entry for entry in incident.roll_call.all()}
    roll_call_mark(entry=entries[first.pk], status=RollCallStatus.NOT_REACHED, actor=staff_user)
    roll_call_reminders_send(now=opened + 2 * window + timedelta(minutes=1))
    assert _roll_call_notifications() == 2  # the next window; not reached is not accounted for

    roll_call_mark(entry=entries[first.pk], status=RollCallStatus.SAFE, actor=staff_user, note="Called at 14:00")
    roll_call_mark(entry=entries[second.pk], status=RollCallStatus.NEEDS_HELP, actor=staff_user)
    roll_call_reminders_send(now=opened + 3 * window + timedelta(minutes=1))
    assert _roll_call_notifications() == 2  # everyone accounted for: no more reminders

    history = list(entries[first.pk].status_changes.values_list("from_status", "to_status"))
    assert history == [("unaccounted", "not_reached"), ("not_reached", "safe")]
    closed = incident_close(incident=incident, actor=staff_user, note="All reached.")
    assert (closed.status, closed.closed_by, closed.closing_note) == (IncidentStatus.CLOSED, staff_user, "All reached.")
    assert closed.override_reason == ""


def test_closing_with_officials_unaccounted_for_needs_a_reason(staff_user):
    incident = _incident_with(ExpertFactory(), ExpertFactory(), actor=staff_user)
    with pytest.raises(ValidationError) as refused:
        incident_close(incident=incident, actor=staff_user)
    assert list(refused.value.error_dict) == ["override_reason"]
    assert "2 officials" in refused.value.error_dict["override_reason"][0].message
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN

    closed = incident_close(incident=incident, actor=staff_user, override_reason="Both left the country by road.")
    assert closed.status == IncidentStatus.CLOSED and closed.override_reason == "Both left the country by road."
    with pytest.raises(ValidationError, match="closed"):
        roll_call_mark(entry=incident.roll_call.first(), status=RollCallStatus.SAFE, actor=staff_user)
    with pytest.raises(ValidationError, match="closed"):
        incident_close(incident=incident, actor=staff_user, override_reason="again")


def test_marking_back_to_unaccounted_is_refused(staff_user):
    incident = _incident_with(ExpertFactory(), actor=staff_user)
    with pytest.raises(ValidationError) as refused:
        roll_call_mark(entry=incident.roll_call.get(), status=RollCallStatus.UNACCOUNTED, actor=staff_user)
    assert list(refused.value.error_dict) == ["status"]


def test_the_database_holds_the_rules(staff_user):
    now = timezone.now()
    refused_rows = [
        {"kind": "flood", "title": "No area", "occurred_at": now},
        {"kind": "flood", "title": "Half a circle", "countries": ["TH"], "latitude": 13, "occurred_at": now},
        {"kind": "flood", "title": "Zero radius", "latitude": 13, "longitude": 100, "radius_km": 0, "occurred_at": now},
        {
            "kind": "flood",
            "title": "Off the Earth",
            "latitude": 91,
            "longitude": 100,
            "radius_km": 5,
            "occurred_at": now,
        },
        {"kind": "flood", "title": "CAP without id", "countries": ["TH"], "source": "cap", "occurred_at": now},
        {
            "kind": "flood",
            "title": "Closed by nobody",
            "countries": ["TH"],
            "status": "closed",
            "closed_at": now,
            "occurred_at": now,
        },
    ]
    for row in refused_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            Incident.objects.create(**row)
    cap = {
        "kind": "flood",
        "countries": ["TH"],
        "source": "cap",
        "cap_sender": "s",
        "cap_identifier": "i",
        "cap_sent": now,
        "occurred_at": now,
    }
    Incident.objects.create(title="First", **cap)
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(title="Same alert", **cap)
    incident = _incident_with(ExpertFactory(), actor=staff_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        incident.roll_call.update(status=RollCallStatus.SAFE)


def test_managers_figure_counts_the_unaccounted_officials_of_open_incidents(staff_user):
    incident = _incident_with(ExpertFactory(), ExpertFactory(), ExpertFactory(), actor=staff_user)
    roll_call_mark(entry=incident.roll_call.first(), status=RollCallStatus.SAFE, actor=staff_user)
    closed = _incident_with(ExpertFactory(), actor=staff_user)
    incident_close(incident=closed, actor=staff_user, override_reason="Left before it began.")
    expected = RollCallEntry.objects.filter(incident__status="open").exclude(status__in=("safe", "needs_help")).count()
    assert unaccounted_in_open_roll_calls() == expected == 2
