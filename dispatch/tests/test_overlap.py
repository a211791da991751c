"""An expert never holds two deployments whose days meet, whoever writes and however fast."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from dispatch.models import Deployment
from dispatch.services import deployment_request, deployment_transition, deployment_update

from .conftest import bring_to, ready_deployment
from .factories import DeploymentFactory, DisasterEventFactory, ExpertFactory, MissionFactory, ProjectFactory

pytestmark = pytest.mark.django_db

SPRING = {"planned_start": date(2030, 4, 1), "planned_end": date(2030, 6, 30)}


def new_request(expert, project, **dates) -> dict:
    return {"expert": expert, "kind": "technical_cooperation", "project": project, "country": "PH", **dates}


def test_the_database_refuses_overlapping_rows(expert):
    DeploymentFactory(expert=expert, **SPRING)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        DeploymentFactory(expert=expert, planned_start=date(2030, 6, 30), planned_end=date(2030, 8, 1))
    assert "deployment_no_overlap_per_expert" in str(refused.value)


def test_the_next_day_is_free_and_other_experts_are_unaffected(expert):
    DeploymentFactory(expert=expert, **SPRING)
    DeploymentFactory(expert=expert, planned_start=date(2030, 7, 1), planned_end=date(2030, 7, 31))
    DeploymentFactory(expert=ExpertFactory(), **SPRING)
    assert Deployment.objects.count() == 3


def test_cancelled_deployments_free_their_dates(staff_user, expert):
    first = DeploymentFactory(expert=expert, **SPRING)
    deployment_transition(deployment=first, to="cancelled", actor=staff_user)
    second = deployment_request(**new_request(expert, ProjectFactory(), **SPRING), actor=staff_user)
    assert second.pk
    # and a cancelled deployment cannot come back to collide: cancelled is final
    assert Deployment.objects.filter(expert=expert).exclude(status="cancelled").get() == second


def test_the_service_names_the_conflicting_deployment(staff_user, expert):
    held = DeploymentFactory(expert=expert, post="Program Manager", **SPRING)
    with pytest.raises(ValidationError) as refused:
        deployment_request(
            **new_request(expert, ProjectFactory(), planned_start=date(2030, 5, 1), planned_end=date(2030, 9, 1)),
            actor=staff_user,
        )
    (error,) = refused.value.error_dict["expert"]
    assert error.code == "overlap"
    message = refused.value.message_dict["expert"][0]
    assert f"#{held.pk}" in message
    assert "Program Manager" in message
    assert "2030-04-01" in message
    assert Deployment.objects.filter(expert=expert).count() == 1


def test_actual_dates_count_when_known(staff_user, today):
    expert = ExpertFactory()
    # Back ten days later than planned: the extension occupies those days.
    held = bring_to(
        ready_deployment(
            expert=expert, planned_start=today - timedelta(days=60), planned_end=today - timedelta(days=20)
        ),
        "deployed",
        staff_user,
    )
    deployment_transition(deployment=held, to="returned", actor=staff_user, on=today - timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        deployment_request(
            **new_request(
                expert,
                ProjectFactory(),
                planned_start=today - timedelta(days=15),
                planned_end=today + timedelta(days=30),
            ),
            actor=staff_user,
        )
    assert f"#{held.pk}" in refused.value.message_dict["expert"][0]


def test_moving_dates_onto_another_deployment_is_refused(staff_user, expert):
    DeploymentFactory(expert=expert, **SPRING)
    later = DeploymentFactory(expert=expert, planned_start=date(2030, 8, 1), planned_end=date(2030, 9, 1))
    with pytest.raises(ValidationError) as refused:
        deployment_update(deployment=later, actor=staff_user, planned_start=date(2030, 6, 1))
    assert refused.value.error_dict["expert"][0].code == "overlap"
    assert Deployment.objects.get(pk=later.pk).planned_start == date(2030, 8, 1)


def test_relief_and_technical_cooperation_share_the_rule(staff_user, expert):
    """An officer already abroad on a project cannot join a relief team in those days."""
    DeploymentFactory(expert=expert, **SPRING)
    mission = MissionFactory(disaster=DisasterEventFactory())
    member = {
        "expert": expert,
        "kind": "disaster_relief",
        "mission": mission,
        "country": "NZ",
        "planned_start": date(2030, 5, 10),
        "planned_end": date(2030, 5, 24),
    }
    with pytest.raises(ValidationError) as refused:
        deployment_request(**member, actor=staff_user)
    assert refused.value.error_dict["expert"][0].code == "overlap"


def test_nominating_a_busy_expert_is_refused(staff_user, expert):
    held = DeploymentFactory(expert=expert, **SPRING)
    request = DeploymentFactory(expert=None, **SPRING)
    with pytest.raises(ValidationError) as refused:
        deployment_transition(deployment=request, to="nominated", expert=expert, actor=staff_user)
    assert f"#{held.pk}" in refused.value.message_dict["expert"][0]
    assert Deployment.objects.get(pk=request.pk).expert is None


# --- two real connections at once ---------------------------------------------------------


def _run_in_threads(*targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_for_the_same_expert_exactly_one_wins(staff_user):
    expert = ExpertFactory()
    projects = [ProjectFactory(), ProjectFactory()]
    barrier = threading.Barrier(2)
    won, refused = [], []

    def request(project):
        try:
            barrier.wait()
            won.append(deployment_request(**new_request(expert, project, **SPRING), actor=staff_user).pk)
        except ValidationError as exc:
            refused.append(exc)
        finally:
            connection.close()

    _run_in_threads(lambda: request(projects[0]), lambda: request(projects[1]))
    assert len(won) == 1 and len(refused) == 1
    assert refused[0].error_dict["expert"][0].code == "overlap"
    assert f"#{won[0]}" in refused[0].message_dict["expert"][0]
    assert list(Deployment.objects.filter(expert=expert).values_list("pk", flat=True)) == won


def _waiting_on_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


@pytest.mark.django_db(transaction=True)
def test_a_request_losing_the_race_at_the_constraint_still_gets_the_named_message(staff_user):
    """The loser passed validation (the rival row was not yet committed) and then met the
    exclusion constraint; it must still hear which deployment it collides with."""
    expert = ExpertFactory()
    project = ProjectFactory()
    rival_written, release_rival = threading.Event(), threading.Event()
    loser_pid, outcome, rival, seen_waiting = [], [], [], []

    def hold_uncommitted_rival():
        try:
            with transaction.atomic():
                rival.append(DeploymentFactory(expert=expert, project=project, **SPRING).pk)
                rival_written.set()
                release_rival.wait(timeout=30)
        finally:
            connection.close()

    def late_request():
        try:
            rival_written.wait(timeout=30)
            loser_pid.append(connection.cursor().connection.info.backend_pid)
            deployment_request(**new_request(expert, project, **SPRING), actor=staff_user)
            outcome.append("saved")
        except ValidationError as exc:
            outcome.append(exc)
        finally:
            connection.close()

    def release_once_the_loser_waits():
        rival_written.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if loser_pid and _waiting_on_a_lock(loser_pid[0]):
                seen_waiting.append(True)
                break
            time.sleep(0.05)
        release_rival.set()
        connection.close()

    _run_in_threads(hold_uncommitted_rival, late_request, release_once_the_loser_waits)
    assert seen_waiting, "the late request never reached the constraint"
    (result,) = outcome
    assert isinstance(result, ValidationError)
    assert result.error_dict["expert"][0].code == "overlap"
    assert f"#{rival[0]}" in result.message_dict["expert"][0]
    assert Deployment.objects.filter(expert=expert).count() == 1


def test_a_rival_row_committed_after_clean_is_still_named_on_the_expert(expert):
    # The window a concurrent request can fall into: clean() has found nothing, then the
    # rival commits and only the constraint check sees it.
    late = Deployment(**new_request(expert, ProjectFactory(), **SPRING))
    late.clean()
    held = DeploymentFactory(expert=expert, **SPRING)
    with pytest.raises(ValidationError) as refused:
        late.validate_constraints()
    (error,) = refused.value.error_dict["expert"]
    assert error.code == "overlap"
    assert f"#{held.pk}" in refused.value.message_dict["expert"][0]
    assert "__all__" not in refused.value.error_dict
