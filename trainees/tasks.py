"""Queue tasks of the trainees app: the follow-up survey invitations' e-mails."""

from __future__ import annotations

from celery import shared_task

from cooperation.tasks import RELIABLE

from . import surveys


@shared_task(name=surveys.EMAIL_INVITATION_TASK, **RELIABLE)
def email_survey_invitation(invitation_id: int) -> bool:
    return surveys.survey_invitation_email(invitation_id=invitation_id)
