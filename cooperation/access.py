"""The single path by which every view, export and report decides what a user may see.

Every model of the domain uses `RestrictedQuerySet`; callers write
`Model.objects.restrict(user, "view")` (or "add", "change", "delete"). A model states
which of its rows a partner organization takes part in by defining the classmethod
`partner_scope(organization) -> Q`; a model without it is shared reference data that
every permitted user reads whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import sees_everything

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from .models import Organization

ACTIONS = ("view", "add", "change", "delete")

# The refusal of a field only agency staff fill in, by the API and the services alike.
STAFF_ONLY_MESSAGE = _("Only agency staff set this; leave it empty in a request.")


def organization_of(user: AbstractBaseUser | AnonymousUser) -> Organization | None:
    """The organization the user works for, or None."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.organization if profile is not None else None


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        opts = self.model._meta
        if not user.is_authenticated or not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return self.none()
        if sees_everything(user, action):
            return self
        scope = getattr(self.model, "partner_scope", None)
        if scope is None:
            return self
        organization = organization_of(user)
        if organization is None:
            return self.none()
        return self.filter(scope(organization))


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


def in_scope_of(user, queryset):
    """`queryset` cut to what `user` may view, for resolving and showing references.

    A reference to a record outside the caller's scope must answer exactly as one to a
    record that does not exist, so lookups run on this queryset. Models without a
    `RestrictedQuerySet` (accounts, tokens) and callers without a user (internal use,
    where no request is being answered) keep the whole queryset.
    """
    if user is None or not hasattr(queryset, "restrict"):
        return queryset
    return queryset.restrict(user, "view")


def is_scoped_for(user, model) -> bool:
    """Whether some rows of `model` may lie outside what `user` sees.

    False for staff and managers (they read every record) and for reference data the
    user may read whole; True where a partner scope or a missing permission hides rows.
    """
    if user is None or not user.is_authenticated or sees_everything(user, "view"):
        return False
    if not issubclass(model._default_manager._queryset_class, RestrictedQuerySet):
        return False
    opts = model._meta
    return hasattr(model, "partner_scope") or not user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
