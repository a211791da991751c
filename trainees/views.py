"""Pages for agency staff outside the admin: the printable certificate."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.formats import date_format

from cooperation.roles import sees_everything

from .models import Enrollment, EnrollmentStatus


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
