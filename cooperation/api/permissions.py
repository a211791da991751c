"""One permission path: model permissions from the role groups, rows from `restrict`."""

from rest_framework.permissions import BasePermission, DjangoModelPermissions

from ..roles import sees_everything

ACTION_BY_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def action_for(request) -> str:
    return ACTION_BY_METHOD.get(request.method, "view")


class RolePermission(DjangoModelPermissions):
    """Reading needs the view permission too (DRF's default lets any user read)."""

    perms_map = {method: [f"%(app_label)s.{action}_%(model_name)s"] for method, action in ACTION_BY_METHOD.items()}

    def _queryset(self, view):
        # Only the model matters here; the declared queryset names it without building the
        # user's restricted one, which the view builds once anyway.
        declared = getattr(view, "queryset", None)
        return declared if declared is not None else super()._queryset(view)


class StaffOnly(BasePermission):
    """Agency staff's tools (recording the past, importing history): refused to anyone else,
    whatever model permissions their role holds."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and sees_everything(user, "add"))
