"""Follow-up surveys: invitations sent once, links that work once and expire, and the
answers moving the outcome indicators they feed."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone

from cooperation.models import OutboxTask
from cooperation.notifications.services import reminders_send
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import OrganizationFactory, UserFactory
from programs.choices import ValueSource, ValueStatus
from programs.models import IndicatorPeriod, PeriodValue
from programs.results import period_progress
from programs.tests.factories import IndicatorFactory
from trainees.choices import Applied, OutcomeFeed, QuestionKind
from trainees.models import EnrollmentStatus, SurveyAnswer, SurveyInvitation, SurveyQuestion
from trainees.surveys import (
    EMAIL_INVITATION_TASK,
    FOLLOW_UP_MONTHS,
    follow_up_surveys_add_defaults,
    invitation_from_token,
    invitation_token,
    months_later,
    survey_answers_record,
    survey_invitation_email,
    survey_invitations_send,
)

from .factories import CourseFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db


def test_months_later_keeps_the_day_or_takes_the_months_last():
    assert months_later(date(2025, 3, 15), 6) == date(2025, 9, 15)
    assert months_later(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert months_later(date(2025, 11, 30), 12) == date(2026, 11, 30)


@pytest.fixture
def held_course():
    """A course that ended six months and three days ago, so its 6-month survey is due."""
    end = months_later(timezone.localdate(), -6) - timedelta(days=3)
    return CourseFactory(
        start_date=end - timedelta(days=13),
        end_date=end,
        nomination_deadline=end - timedelta(days=30),
        status="held",
    )


@pytest.fixture
def surveys(held_course):
    return follow_up_surveys_add_defaults(course=held_course, actor=None)


def _invite(course, *, email="", status=EnrollmentStatus.COMPLETED, nominated_by=None):
    trainee = TraineeFactory(email=email)
    return EnrollmentFactory(
        course=course, trainee=trainee, status=status, nominated_by=nominated_by or OrganizationFactory()
    )


def test_default_surveys_come_at_six_and_twelve_months_with_their_questions_in_both_languages(surveys):
    assert [survey.months_after for survey in surveys] == list(FOLLOW_UP_MONTHS)
    questions = list(surveys[0].questions.all())
    assert [q.kind for q in questions] == [
        QuestionKind.APPLIED,
        QuestionKind.YES_NO,
        QuestionKind.NUMBER,
        QuestionKind.TEXT,
    ]
    assert all(q.text and q.text_ja and q.text != q.text_ja for q in questions)
    # A second call adds nothing.
    assert follow_up_surveys_add_defaults(course=surveys[0].course, actor=None) == []


def test_invitations_go_out_once_to_the_trainee_or_else_the_coordinator(
    held_course, surveys, django_capture_on_commit_callbacks
):
    nominating = OrganizationFactory()
    coordinator = UserFactory(role=PARTNER_COORDINATOR, username="survey-coordinator", organization=nominating)
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    with_email = _invite(held_course, email="officer@example.org")
    without_email = _invite(held_course, nominated_by=nominating)
    _invite(held_course, email="gone@example.org", status=EnrollmentStatus.WITHDRAWN)

    first = survey_invitations_send(today=timezone.localdate())
    again = survey_invitations_send(today=timezone.localdate())

    six_months = surveys[0]
    assert again == []
    assert {(i.survey_id, i.enrollment_id, i.email) for i in first} == {
        (six_months.pk, with_email.pk, "officer@example.org"),
        (six_months.pk, without_email.pk, "coordinator@example.org"),
    }
    queued = OutboxTask.objects.filter(task_name=EMAIL_INVITATION_TASK)
    assert sorted(row.args[0] for row in queued) == sorted(i.pk for i in first)

    for invitation in first:
        assert survey_invitation_email(invitation_id=invitation.pk) is True
        assert survey_invitation_email(invitation_id=invitation.pk) is False  # a redelivered task
    assert sorted(message.to[0] for message in mail.outbox) == ["coordinator@example.org", "officer@example.org"]
    bodies = {message.to[0]: message.body for message in mail.outbox}
    # The link in each e-mail names its own invitation (a token is signed with the second it
    # was made in, so it is read back rather than compared with one made here).
    for invitation in first:
        (link,) = re.findall(r"/trainees/surveys/([^/\s]+)/", bodies[invitation.email])
        assert invitation_from_token(link) == invitation


def test_the_daily_reminder_run_sends_the_invitations_that_fell_due(held_course, surveys):
    enrollment = _invite(held_course, email="officer@example.org")
    reminders_send()
    assert list(SurveyInvitation.objects.values_list("enrollment", flat=True)) == [enrollment.pk]


def test_no_invitation_before_the_survey_falls_due(held_course, surveys):
    _invite(held_course, email="officer@example.org")
    day_before = months_later(held_course.end_date, 6) - timedelta(days=1)
    assert survey_invitations_send(today=day_before) == []
    assert not SurveyInvitation.objects.exists()


@pytest.fixture
def outcome(surveys):
    """The 6-month survey's questions feeding a program's outcome indicator in a period
    covering today: the yes answers on applying, and the numbers trained summed."""
    indicator = IndicatorFactory(name="Officers applying community policing")
    today = timezone.localdate()
    period = IndicatorPeriod.objects.create(
        indicator=indicator, start=today - timedelta(days=40), end=today + timedelta(days=40), target=Decimal("10")
    )
    trained = IndicatorFactory(project=indicator.project, name="Officers trained by alumni")
    trained_period = IndicatorPeriod.objects.create(
        indicator=trained, start=period.start, end=period.end, target=Decimal("50")
    )
    applied, _, how_many, _ = surveys[0].questions.order_by("position")
    SurveyQuestion.objects.filter(pk=applied.pk).update(indicator=indicator, feed=OutcomeFeed.COUNT_YES)
    SurveyQuestion.objects.filter(pk=how_many.pk).update(indicator=trained, feed=OutcomeFeed.SUM)
    return {
        "indicator": indicator,
        "period": period,
        "trained_period": trained_period,
        "applied": applied,
        "how_many": how_many,
        "survey": surveys[0],
    }


def _answer(outcome, held_course, choice, number):
    enrollment = _invite(held_course, email=f"o{SurveyInvitation.objects.count()}@example.org")
    invitation = SurveyInvitation.objects.create(
        survey=outcome["survey"],
        enrollment=enrollment,
        email=enrollment.trainee.email,
        expires_at=timezone.now() + timedelta(days=30),
    )
    survey_answers_record(
        invitation=invitation, answers={outcome["applied"].pk: choice, outcome["how_many"].pk: number}
    )
    return invitation


def _survey_values(period):
    return list(PeriodValue.objects.filter(period=period, source=ValueSource.SURVEY))


def test_answers_move_the_outcome_indicator_one_value_per_period(outcome, held_course):
    given = [(Applied.YES, "4"), (Applied.PARTLY, "0"), (Applied.YES, "3"), (Applied.NO, "")]
    for count, (choice, number) in enumerate(given, start=1):
        _answer(outcome, held_course, choice, number)
        so_far = given[:count]
        yes = sum(1 for c, _ in so_far if c == Applied.YES)
        trained = sum(Decimal(n) for _, n in so_far if n)
        values = _survey_values(outcome["period"])
        assert [(v.value, v.status) for v in values] == [(yes, ValueStatus.APPROVED)]
        assert [v.value for v in _survey_values(outcome["trained_period"])] == [trained]

    yes = sum(1 for c, _ in given if c == Applied.YES)
    progress = {row.period.pk: row for row in period_progress(outcome["indicator"])}
    assert progress[outcome["period"].pk].actual == yes
    assert SurveyAnswer.objects.filter(question=outcome["applied"]).count() == len(given)
    # Each change of the count is a step in the value's history: recorded once, then a step
    # per recount that changed it ("partly" and "no" leave the count of yes where it was).
    running = [sum(1 for c, _ in given[:count] if c == Applied.YES) for count in range(1, len(given) + 1)]
    (value,) = _survey_values(outcome["period"])
    assert value.status_changes.count() == len(set(running))


def test_a_locked_period_keeps_its_value(outcome, held_course):
    IndicatorPeriod.objects.filter(pk=outcome["period"].pk).update(locked=True)
    _answer(outcome, held_course, Applied.YES, "2")
    assert _survey_values(outcome["period"]) == []
    assert [v.value for v in _survey_values(outcome["trained_period"])] == [2]


def test_a_question_linked_to_an_indicator_says_how_it_feeds_it(outcome):
    question = SurveyQuestion(
        survey=outcome["survey"],
        position=9,
        text="Did it help?",
        kind=QuestionKind.TEXT,
        indicator=outcome["indicator"],
    )
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert [e.code for e in refused.value.error_dict[NON_FIELD_ERRORS]] == ["feed"]
    question.feed = OutcomeFeed.COUNT_YES
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert [e.code for e in refused.value.error_dict[NON_FIELD_ERRORS]] == ["feed_kind"]


# --- the web form ------------------------------------------------------------------------------


@pytest.fixture
def invitation(outcome, held_course):
    enrollment = _invite(held_course, email="form@example.org")
    return SurveyInvitation.objects.create(
        survey=outcome["survey"],
        enrollment=enrollment,
        email="form@example.org",
        expires_at=timezone.now() + timedelta(days=30),
    )


def _form_data(outcome, choice="yes", number="5"):
    questions = {q.position: q.pk for q in outcome["survey"].questions.all()}
    return {
        f"question_{questions[1]}": choice,
        f"question_{questions[2]}": "yes",
        f"question_{questions[3]}": number,
        f"question_{questions[4]}": "We opened two koban.",
    }


def test_the_link_records_the_answers_once(client, invitation, outcome):
    url = reverse("trainees:survey", args=[invitation_token(invitation)])
    page = client.get(url)
    assert page.status_code == 200
    assert outcome["applied"].text in page.content.decode()

    done = client.post(url, _form_data(outcome))
    assert done.status_code == 200
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 4
    assert [v.value for v in _survey_values(outcome["period"])] == [1]

    again = client.post(url, _form_data(outcome, choice="no"))
    assert again.status_code == 410
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 4
    assert client.get(url).status_code == 410


def test_an_expired_link_takes_no_answers(client, invitation, outcome):
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    url = reverse("trainees:survey", args=[invitation_token(invitation)])
    assert client.get(url).status_code == 410
    assert client.post(url, _form_data(outcome)).status_code == 410
    assert not SurveyAnswer.objects.exists()
    assert _survey_values(outcome["period"]) == []


def test_an_altered_link_is_not_found(client, invitation):
    token = invitation_token(invitation)
    assert (
        client.get(reverse("trainees:survey", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])).status_code
        == 404
    )


def test_a_form_missing_an_answer_says_which_and_records_nothing(client, invitation, outcome):
    data = _form_data(outcome, number="-1")
    del data[f"question_{outcome['applied'].pk}"]
    response = client.post(reverse("trainees:survey", args=[invitation_token(invitation)]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {f"question_{outcome['applied'].pk}", f"question_{outcome['how_many'].pk}"}
    assert not SurveyAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None
