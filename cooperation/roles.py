"""The three roles, what each may do, and how a user's role is found.

Roles are Django groups. Their permissions are declared here once and written to the
groups after every `migrate`, so a model added by a later migration is covered without
another data migration.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.utils.translation import gettext_lazy

from cooperation.auth_backends import account_of

NPA_STAFF = "npa_staff"
PARTNER_COORDINATOR = "partner_coordinator"
MANAGER = "manager"
ROLES = (NPA_STAFF, PARTNER_COORDINATOR, MANAGER)
ROLE_SET = frozenset(ROLES)
# The roles of accounts outside the agency's staff: staff open and close these accounts;
# a staff account is opened by a superuser only, so no staff member can make a second
# reviewer for their own work (the four-eyes review of publication).
PARTNER_ROLES = (PARTNER_COORDINATOR, MANAGER)
ROLE_LABELS = {
    NPA_STAFF: gettext_lazy("NPA staff"),
    PARTNER_COORDINATOR: gettext_lazy("Partner coordinator"),
    MANAGER: gettext_lazy("Manager"),
}

# The apps that hold the agency's records.
DOMAIN_APPS = ("cooperation", "programs", "dispatch", "trainees", "duty")

# Apps outside the records that staff run in full: periodic tasks, login lockouts (staff
# unlock colleagues) and authenticators (each staff member registers their own).
STAFF_TOOL_APPS = ("django_celery_beat", "axes", "otp_totp")

# Records about accounts and credentials, and the queue of possible duplicate people
# (which pairs records of different organizations), are for staff only, whatever the app.
STAFF_ONLY_MODELS = {
    "cooperation.userprofile",
    "cooperation.apitoken",
    "trainees.traineeduplicate",
    "dispatch.emergencycontact",
}
# Duty of care names officials, where they are and whom to call: staff only; managers
# read its counts on the dashboard.
STAFF_ONLY_APPS = ("duty",)

# What partner coordinators may do: "app_label.model": {"view", "add", …}. Each domain
# app declares its own in its AppConfig as `partner_permissions`; reading the rows is
# still limited to their organization's by the model's `partner_scope`.
REFERENCE_PARTNER_PERMISSIONS: dict[str, set[str]] = {
    "cooperation.region": {"view"},
    "cooperation.organization": {"view"},
    "cooperation.cooperationfield": {"view"},
}


def partner_permissions() -> dict[str, set[str]]:
    declared = dict(REFERENCE_PARTNER_PERMISSIONS)
    for config in global_apps.get_app_configs():
        declared.update(getattr(config, "partner_permissions", {}))
    return declared


def _is_domain_record(permission) -> bool:
    label = f"{permission.content_type.app_label}.{permission.content_type.model}"
    return permission.content_type.app_label in DOMAIN_APPS and not label.startswith(
        tuple(f"{app}.historical" for app in DOMAIN_APPS)
    )


def role_permissions(role: str, permissions) -> list:
    """The subset of `permissions` that `role` is granted."""
    granted = []
    partner = partner_permissions()
    for permission in permissions:
        label = f"{permission.content_type.app_label}.{permission.content_type.model}"
        action = permission.codename.split("_", 1)[0]
        if role == NPA_STAFF:
            keep = _is_domain_record(permission) or permission.content_type.app_label in STAFF_TOOL_APPS
        elif role == MANAGER:
            keep = (
                _is_domain_record(permission)
                and action == "view"
                and label not in STAFF_ONLY_MODELS
                and permission.content_type.app_label not in STAFF_ONLY_APPS
            )
        else:
            keep = action in partner.get(label, set())
        if keep:
            granted.append(permission)
    return granted


def sync_role_permissions(*, apps=global_apps, app_config=None, **kwargs) -> None:
    """Make every role group hold exactly its declared permissions.

    Runs from the roles data migration and again after every `migrate` and `flush`
    (post_migrate), so permissions of models added later reach the roles without another
    migration. post_migrate comes once for each app, each creating its own permissions
    first: the roles are synchronized once, at the last app's.
    """
    if app_config is not None and app_config is not _last_app_with_models():
        return
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.select_related("content_type"))
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role, permissions))


def _last_app_with_models():
    return [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]


def roles_of(user) -> frozenset[str]:
    """The user's role names, read once per user object with their permissions."""
    if not user.is_authenticated:
        return frozenset()
    return account_of(user).group_names & ROLE_SET


def reads_reports(user) -> bool:
    """Managers and staff read the dashboard, its exports and the annual summary."""
    return user.is_authenticated and (user.is_superuser or bool({MANAGER, NPA_STAFF} & roles_of(user)))


def sees_everything(user, action: str) -> bool:
    """Staff see and keep every record; managers read every record."""
    if user.is_superuser or NPA_STAFF in roles_of(user):
        return True
    return action == "view" and MANAGER in roles_of(user)


def manages_partner_accounts(user) -> bool:
    """Staff open, reset and close partner accounts; superusers manage every account."""
    return user.is_authenticated and user.is_active and (user.is_superuser or NPA_STAFF in roles_of(user))
