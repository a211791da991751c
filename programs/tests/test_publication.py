"""The review step: nothing is public without another staff member's review."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cooperation.roles import NPA_STAFF
from cooperation.tests.factories import UserFactory
from programs.models import Program, Publication
from programs.publication import (
    publication_publish,
    publication_return,
    publication_submit,
    publication_withdraw,
    published_projects,
)

from .factories import ProgramFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(npa):
    return UserFactory(role=NPA_STAFF, username="reviewer", organization=npa)


def test_submit_then_another_staff_member_publishes(staff_user, reviewer):
    program = ProgramFactory()
    publication_submit(record=program, actor=staff_user)
    published = publication_publish(record=program, actor=reviewer)
    assert published.publication == Publication.PUBLISHED
    assert (published.submitted_by, published.reviewed_by) == (staff_user, reviewer)
    assert published.reviewed_at is not None
    moves = list(program.history.order_by("history_date").values_list("publication", "history_user__username"))
    assert moves[-2:] == [(Publication.SUBMITTED, staff_user.username), (Publication.PUBLISHED, reviewer.username)]


def test_nobody_reviews_their_own_submission(staff_user):
    program = ProgramFactory()
    publication_submit(record=program, actor=staff_user)
    with pytest.raises(ValidationError) as refused:
        publication_publish(record=program, actor=staff_user)
    assert refused.value.error_dict["publication"][0].code == "own_submission"
    program.refresh_from_db()
    assert program.publication == Publication.SUBMITTED


def test_a_draft_cannot_be_published_without_submission(reviewer):
    program = ProgramFactory()
    with pytest.raises(ValidationError) as refused:
        publication_publish(record=program, actor=reviewer)
    assert refused.value.error_dict["publication"][0].code == "transition_not_allowed"
    program.refresh_from_db()
    assert program.publication == Publication.DRAFT


@pytest.mark.parametrize("user_fixture", ["manager_user", "coordinator_user"])
def test_other_roles_may_not_publish(request, staff_user, user_fixture):
    program = ProgramFactory()
    publication_submit(record=program, actor=staff_user)
    with pytest.raises(PermissionDenied):
        publication_publish(record=program, actor=request.getfixturevalue(user_fixture))
    program.refresh_from_db()
    assert program.publication == Publication.SUBMITTED


def test_withdraw_and_return(staff_user, reviewer):
    program = ProgramFactory()
    publication_submit(record=program, actor=staff_user)
    assert publication_return(record=program, actor=reviewer).publication == Publication.DRAFT
    publication_submit(record=program, actor=staff_user)
    publication_publish(record=program, actor=reviewer)
    assert publication_withdraw(record=program, actor=staff_user).publication == Publication.WITHDRAWN


def test_the_database_refuses_a_published_row_without_review(staff_user):
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(publication=Publication.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(
            publication=Publication.PUBLISHED,
            submitted_by=staff_user,
            reviewed_by=staff_user,
            reviewed_at=timezone.now(),
        )


def test_a_project_is_public_only_with_its_program(staff_user, reviewer):
    program = ProgramFactory()
    project = ProjectFactory(program=program)
    publication_submit(record=project, actor=staff_user)
    publication_publish(record=project, actor=reviewer)
    assert not published_projects().filter(pk=project.pk).exists()
    publication_submit(record=program, actor=staff_user)
    publication_publish(record=program, actor=reviewer)
    assert published_projects().filter(pk=project.pk).exists()


def test_admin_actions_move_the_selection(client, staff_user, reviewer):
    programs = ProgramFactory.create_batch(2)
    client.force_login(staff_user)
    ids = [str(p.pk) for p in programs]
    response = client.post("/admin/programs/program/", {"action": "publication_submit", "_selected_action": ids})
    assert response.status_code == 302
    assert set(Program.objects.filter(pk__in=ids).values_list("publication", flat=True)) == {Publication.SUBMITTED}
    # The submitter's own attempt is refused with a message, and nothing moves.
    client.post("/admin/programs/program/", {"action": "publication_publish", "_selected_action": ids})
    assert set(Program.objects.filter(pk__in=ids).values_list("publication", flat=True)) == {Publication.SUBMITTED}
    client.force_login(reviewer)
    response = client.post(
        "/admin/programs/program/", {"action": "publication_publish", "_selected_action": ids}, follow=True
    )
    assert set(Program.objects.filter(pk__in=ids).values_list("publication", flat=True)) == {Publication.PUBLISHED}
    # (The messages of the earlier, unfollowed requests are shown first.)
    assert [str(m) for m in response.context["messages"]][-1] == "2 programs moved to Published."
    response = client.post(
        "/admin/programs/program/", {"action": "publication_withdraw", "_selected_action": ids[:1]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["1 program moved to Withdrawn."]


def test_the_admin_form_cannot_set_the_publication(client, staff_user):
    program = ProgramFactory()
    client.force_login(staff_user)
    form = client.get(f"/admin/programs/program/{program.pk}/change/").content.decode()
    assert 'name="publication"' not in form


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_publish_once(staff_user, npa):
    reviewers = [UserFactory(role=NPA_STAFF, username=f"reviewer-{n}", organization=npa) for n in range(2)]
    program = ProgramFactory()
    publication_submit(record=program, actor=staff_user)
    outcomes = []
    barrier = threading.Barrier(2)

    def review(user):
        try:
            barrier.wait()
            publication_publish(record=program, actor=user)
            outcomes.append("published")
        except ValidationError as error:
            outcomes.append(error.error_dict["publication"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "transition_not_allowed"]
    assert program.history.filter(publication=Publication.PUBLISHED).count() == 1
