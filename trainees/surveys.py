"""Outcomes of training: follow-up surveys, their invitations, answers, and the outcome
indicators the answers feed.

A survey goes to each trainee who completed the course, a set number of months after it
ended: to the trainee's own e-mail when on file, else to a coordinator of the
organization that nominated them. The link in the message is signed from the
invitation's id; it works once and until the invitation expires. Answers that arrive
recompute the value of each linked indicator for the period covering the day they
arrived, from every answer of that period: one approved value per period, kept current,
never one value per answer.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperation.notifications.services import absolute_link
from cooperation.outbox import enqueue_each
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.services import Actor, audited_save, record_create, record_update
from cooperation.validation import refusal
from programs.choices import ValueSource
from programs.models import IndicatorPeriod, PeriodValue
from programs.services.results import period_value_recount

from .choices import QuestionKind
from .models import Enrollment, EnrollmentStatus, FollowUpSurvey, SurveyAnswer, SurveyInvitation, SurveyQuestion
from .selectors import survey_outcome_value

FOLLOW_UP_MONTHS = (6, 12)
# How long a trainee has to answer, and how late an invitation still goes out after its
# day (a survey added long after a course does not write to everyone it ever trained).
ANSWER_DAYS = 60
LATE_INVITATION_DAYS = 90
EMAIL_INVITATION_TASK = "trainees.tasks.email_survey_invitation"
TOKEN_SALT = "trainees.survey-invitation"

# The questions a new survey starts with: (text, kind), in their order.
DEFAULT_QUESTIONS = (
    (gettext_lazy("Did you apply what you learned in the course in your work?"), QuestionKind.APPLIED),
    (gettext_lazy("Did you train others in what you learned?"), QuestionKind.YES_NO),
    (gettext_lazy("How many people did you train?"), QuestionKind.NUMBER),
    (gettext_lazy("What changed in your unit because of the course?"), QuestionKind.TEXT),
)


def months_later(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- surveys ---------------------------------------------------------------------------------


@transaction.atomic
def follow_up_survey_create(*, actor: Actor, **data: Any) -> FollowUpSurvey:
    return record_create(FollowUpSurvey, actor=actor, **data)


@transaction.atomic
def follow_up_survey_update(*, survey: FollowUpSurvey, actor: Actor, **data: Any) -> FollowUpSurvey:
    return record_update(survey, actor=actor, **data)


@transaction.atomic
def survey_question_create(*, actor: Actor, **data: Any) -> SurveyQuestion:
    return record_create(SurveyQuestion, actor=actor, **data)


@transaction.atomic
def survey_question_update(*, survey_question: SurveyQuestion, actor: Actor, **data: Any) -> SurveyQuestion:
    return record_update(survey_question, actor=actor, **data)


@transaction.atomic
def follow_up_surveys_add_defaults(*, course: Any, actor: Actor) -> list[FollowUpSurvey]:
    """The 6- and 12-month surveys with the standard questions, for those the course lacks."""
    existing = set(course.follow_up_surveys.values_list("months_after", flat=True))
    surveys = []
    for months in FOLLOW_UP_MONTHS:
        if months in existing:
            continue
        survey = FollowUpSurvey(course=course, months_after=months)
        audited_save(survey, actor=actor)
        for position, (text, kind) in enumerate(DEFAULT_QUESTIONS, start=1):
            with translation.override("en"):
                english = str(text)
            with translation.override("ja"):
                japanese = str(text)
            audited_save(
                SurveyQuestion(survey=survey, position=position, text=english, text_ja=japanese, kind=kind),
                actor=actor,
            )
        surveys.append(survey)
    return surveys


# --- invitations -----------------------------------------------------------------------------


def invitation_token(invitation: SurveyInvitation) -> str:
    return signing.dumps(invitation.pk, salt=TOKEN_SALT)


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a link names, or None for a link that was not ours or was altered."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return SurveyInvitation.objects.select_related("survey__course", "enrollment__trainee").filter(pk=pk).first()


def invitation_refusal(invitation: SurveyInvitation, now: datetime) -> str | None:
    """Why the invitation's link no longer takes answers, or None while it does."""
    if invitation.answered_at is not None:
        return _("This survey has already been answered. Thank you.")
    if invitation.expires_at <= now:
        return _("This survey link has expired.")
    return None


def _coordinator_addresses(organization_ids: set[int]) -> dict[int, tuple[str, str]]:
    """The first active coordinator with an e-mail of each organization: (e-mail, language)."""
    coordinators = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=PARTNER_COORDINATOR,
            profile__organization__in=organization_ids,
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("profile__organization", "email", "profile__language")
    )
    found: dict[int, tuple[str, str]] = {}
    for organization_id, email, language in coordinators:
        found.setdefault(organization_id, (email, language or settings.LANGUAGE_CODE))
    return found


def _due_surveys(today: date) -> list[FollowUpSurvey]:
    surveys = (
        FollowUpSurvey.objects.select_related("course")
        .filter(course__end_date__lte=today)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    window_start = today - timedelta(days=LATE_INVITATION_DAYS)
    return [
        survey
        for survey in surveys
        if window_start <= months_later(survey.course.end_date, survey.months_after) <= today
    ]


@transaction.atomic
def survey_invitations_send(*, today: date) -> list[SurveyInvitation]:
    """Invite every trainee whose survey fell due and who has not been invited to it.

    The due surveys stay locked until the end, so two runs at once invite nobody twice
    (the unique constraint stands behind it). The e-mails leave through the outbox.
    """
    due = _due_surveys(today)
    if not due:
        return []
    enrollments = list(
        Enrollment.objects.filter(
            course__in=[survey.course_id for survey in due], status=EnrollmentStatus.COMPLETED
        ).select_related("trainee")
    )
    invited = set(SurveyInvitation.objects.filter(survey__in=due).values_list("survey_id", "enrollment_id"))
    coordinators = _coordinator_addresses(
        {enrollment.nominated_by_id for enrollment in enrollments if not enrollment.trainee.email}
    )
    expires_at = timezone.now() + timedelta(days=ANSWER_DAYS)
    new = []
    for survey in due:
        for enrollment in enrollments:
            if enrollment.course_id != survey.course_id or (survey.pk, enrollment.pk) in invited:
                continue
            if enrollment.trainee.email:
                email, language = enrollment.trainee.email, _course_language(survey.course.language)
            else:
                email, language = coordinators.get(enrollment.nominated_by_id, ("", settings.LANGUAGE_CODE))
            new.append(
                SurveyInvitation(
                    survey=survey, enrollment=enrollment, email=email, language=language, expires_at=expires_at
                )
            )
    created = SurveyInvitation.objects.bulk_create(new)
    enqueue_each(EMAIL_INVITATION_TASK, [(invitation.pk,) for invitation in created if invitation.email])
    return created


def _course_language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def survey_invitation_email(*, invitation_id: int) -> bool:
    """E-mail one invitation unless it was already e-mailed. True when a message went out."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey__course", "enrollment__trainee")
        .filter(pk=invitation_id, emailed_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if invitation is None:
        return False
    course = invitation.survey.course
    trainee = invitation.enrollment.trainee
    link = absolute_link(reverse("trainees:survey", args=[invitation_token(invitation)]))
    with translation.override(invitation.language):
        subject = _("How has the course %(course)s helped your work?") % {"course": course.code}
        params = {
            "course": f"{course.code} {course.title}",
            "trainee": f"{trainee.given_name} {trainee.family_name}",
            "end": invitation.expires_at.date().isoformat(),
        }
        if invitation.email == trainee.email:
            body = _(
                "Dear %(trainee)s,\n\nsome months have passed since the course %(course)s. Please tell us "
                "in a few questions what you have been able to apply. The link works once, until %(end)s."
            )
        else:
            body = _(
                "%(trainee)s completed the course %(course)s, and we have no e-mail address for them. Please "
                "answer a few questions on what they have been able to apply, with them or on their behalf. "
                "The link works once, until %(end)s."
            )
    send_mail(subject, f"{body % params}\n\n{link}", None, [invitation.email], fail_silently=False)
    invitation.emailed_at = timezone.now()
    invitation.save(update_fields=["emailed_at"])
    return True


# --- answers ---------------------------------------------------------------------------------


def answerable_questions(invitation: SurveyInvitation) -> list[SurveyQuestion]:
    return list(invitation.survey.questions.order_by("position", "pk"))


@transaction.atomic
def survey_answers_record(
    *, invitation: SurveyInvitation, answers: Mapping[int, Any], now: datetime | None = None
) -> list[SurveyAnswer]:
    """Record the answers of one invitation (question id -> answer) and update the outcome
    indicators they feed. A used or expired invitation takes nothing."""
    now = now or timezone.now()
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    refused = invitation_refusal(locked, now)
    if refused is not None:
        raise refusal("invitation", refused, "closed")
    rows = []
    for question in answerable_questions(locked):
        answer = answers.get(question.pk)
        if answer in (None, ""):
            continue
        row = SurveyAnswer(invitation=locked, question=question)
        if question.kind == QuestionKind.NUMBER:
            row.number = Decimal(answer)
        elif question.kind == QuestionKind.TEXT:
            row.text = str(answer)
        else:
            row.choice = str(answer)
        row.full_clean()
        rows.append(row)
    SurveyAnswer.objects.bulk_create(rows)
    locked.answered_at = now
    locked.save(update_fields=["answered_at", "updated_at"])
    outcome_values_recompute(
        indicator_ids={row.question.indicator_id for row in rows if row.question.indicator_id},
        day=timezone.localdate(now),
    )
    invitation.answered_at = now
    return rows


def outcome_values_recompute(*, indicator_ids: set[int], day: date) -> list[PeriodValue]:
    """Set each indicator's survey value for the period covering `day` from all the answers
    of that period. A locked period keeps its value; a day outside every period feeds none."""
    periods = IndicatorPeriod.objects.filter(
        indicator__in=indicator_ids, start__lte=day, end__gte=day, locked=False
    ).select_for_update(of=("self",))
    return [
        period_value_recount(
            period=period,
            actor=None,
            value=survey_outcome_value(period),
            source=ValueSource.SURVEY,
            comment=_("Counted from the follow-up survey answers of the period."),
        )
        for period in periods.order_by("pk")
    ]
