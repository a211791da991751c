"""The review step between a record and the public: submit, publish, return, withdraw.

A staff member submits a program or project for review; another staff member who holds
the review permission publishes it (or returns it to draft). Publishing is the only way
onto the public pages and into the IATI file, and the database refuses a published row
without a reviewer other than its submitter (see `published_after_review`). A project
is public only while its program is public too (see `published_programs` /
`published_projects`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.services import audited_save, model_update
from cooperation.workflow import Transitions

from .models import Program, Project, Publication

Publishable = Program | Project

PUBLICATION_TRANSITIONS = Transitions(
    {
        Publication.DRAFT: {Publication.SUBMITTED},
        Publication.SUBMITTED: {Publication.PUBLISHED, Publication.DRAFT},
        Publication.PUBLISHED: {Publication.WITHDRAWN},
        Publication.WITHDRAWN: {Publication.SUBMITTED, Publication.DRAFT},
    },
    field="publication",
    labels=Publication,
)


def published_programs() -> QuerySet[Program]:
    return Program.objects.filter(publication=Publication.PUBLISHED)


def published_projects() -> QuerySet[Project]:
    """Projects that are published themselves and belong to a published program."""
    return Project.objects.filter(
        publication=Publication.PUBLISHED, program__publication=Publication.PUBLISHED, program__archived_at__isnull=True
    )


def _permission(record: Publishable, action: str) -> str:
    return f"{record._meta.app_label}.{action}_{record._meta.model_name}"


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _move(record: Publishable, *, actor, target: str, reviewing: bool = False, **changes) -> Publishable:
    """Lock the row, check the move against the table, write it with its history entry."""
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if reviewing and locked.submitted_by_id == actor.pk:
        raise ValidationError(
            {
                "publication": ValidationError(
                    _("Another staff member must review what you submitted."), code="own_submission"
                )
            }
        )
    PUBLICATION_TRANSITIONS.check(locked.publication, target)
    model_update(locked, {"publication": target, **changes})
    audited_save(locked, actor=actor)
    return locked


@transaction.atomic
def publication_submit(*, record: Publishable, actor) -> Publishable:
    """Ask for a review; the submitter cannot be the reviewer."""
    _require(actor, _permission(record, "change"))
    return _move(
        record,
        actor=actor,
        target=Publication.SUBMITTED,
        submitted_by=actor,
        submitted_at=timezone.now(),
        reviewed_by=None,
        reviewed_at=None,
    )


@transaction.atomic
def publication_publish(*, record: Publishable, actor) -> Publishable:
    """Make the record public after review."""
    _require(actor, _permission(record, "review"))
    return _move(
        record,
        actor=actor,
        target=Publication.PUBLISHED,
        reviewing=True,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


@transaction.atomic
def publication_return(*, record: Publishable, actor) -> Publishable:
    """Send a submitted record back to draft without publishing it (a submitter may take
    back their own submission too)."""
    _require(actor, _permission(record, "review"))
    return _move(record, actor=actor, target=Publication.DRAFT, reviewed_by=actor, reviewed_at=timezone.now())


@transaction.atomic
def publication_withdraw(*, record: Publishable, actor) -> Publishable:
    """Take a published record off the public pages and out of the IATI file at once."""
    _require(actor, _permission(record, "change"))
    return _move(record, actor=actor, target=Publication.WITHDRAWN)
