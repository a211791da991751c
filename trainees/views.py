"""Pages outside the admin: the printable certificate, and the follow-up survey trainees answer."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.formats import date_format

from cooperation.roles import sees_everything

from .models import Enrollment, EnrollmentStatus
from .survey_forms import SurveyAnswerForm
from .surveys import answerable_questions, invitation_from_token, invitation_refusal, survey_answers_record


def english_date(day: date) -> str:
    with translation.override("en"):
        return date_format(day, "j F Y")


def japanese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@login_required
def certificate(request, pk: int):
    """The bilingual certificate of a completed enrollment, laid out for printing."""
    if not sees_everything(request.user, "change"):
        raise PermissionDenied
    enrollment = get_object_or_404(
        Enrollment.objects.restrict(request.user, "view").select_related("course__host", "trainee"),
        pk=pk,
        status=EnrollmentStatus.COMPLETED,
    )
    course = enrollment.course
    context = {
        "enrollment": enrollment,
        "course": course,
        "trainee": enrollment.trainee,
        "host": course.host,
        "start_en": english_date(course.start_date),
        "end_en": english_date(course.end_date),
        "issued_en": english_date(enrollment.certificate_issued_on),
        "start_ja": japanese_date(course.start_date),
        "end_ja": japanese_date(course.end_date),
        "issued_ja": japanese_date(enrollment.certificate_issued_on),
    }
    return render(request, "trainees/certificate.html", context)


def survey(request, token: str):
    """A follow-up survey answered through the link of its invitation, without signing in.

    A link that is not ours answers 404; one already used or expired says so (410 Gone).
    """
    invitation = invitation_from_token(token)
    if invitation is None:
        raise Http404
    context = {"invitation": invitation, "course": invitation.survey.course}
    refused = invitation_refusal(invitation, timezone.now())
    if refused is not None:
        return render(request, "trainees/survey_closed.html", {**context, "message": refused}, status=410)
    questions = answerable_questions(invitation)
    form = SurveyAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answers_record(invitation=invitation, answers=form.answers())
        except ValidationError as closed:
            message = closed.message_dict["invitation"][0]
            return render(request, "trainees/survey_closed.html", {**context, "message": message}, status=410)
        return render(request, "trainees/survey_thanks.html", context)
    return render(request, "trainees/survey_form.html", {**context, "form": form}, status=400 if form.errors else 200)
