"""Reads for the cooperation app that are more than a filter: the accounts a user manages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .roles import NPA_STAFF, manages_partner_accounts

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def partner_accounts() -> QuerySet[User]:
    """Accounts outside the agency's staff: no admin access, no superuser rights, no staff role."""
    users: QuerySet[User] = get_user_model().objects.all()
    return users.filter(is_staff=False, is_superuser=False).exclude(groups__name=NPA_STAFF)


def accounts_managed_by(actor: Any) -> QuerySet[User]:
    """Every account for a superuser; partner accounts for staff; none for anyone else."""
    users: QuerySet[User] = get_user_model().objects.all()
    if actor.is_authenticated and actor.is_superuser:
        return users
    if not manages_partner_accounts(actor):
        return users.none()
    return partner_accounts()


def may_manage_account(actor: Any, user: User) -> bool:
    """Whether `actor` may change `user` (as it now stands in the database)."""
    return user.pk is not None and accounts_managed_by(actor).filter(pk=user.pk).exists()
