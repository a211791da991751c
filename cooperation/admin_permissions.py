"""Permissions named in the reader's language in the admin's group and user forms.

Django stores a permission's name once, in English, when the model is migrated ("Can add
deployment"). The forms show each default permission's name made again from its action
and the model's verbose name, and a model's own permissions by the (translated) name its
Meta declares; what is neither keeps its stored name.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(verbose_name)s"),
    "change": _("Can change %(verbose_name)s"),
    "delete": _("Can delete %(verbose_name)s"),
    "view": _("Can view %(verbose_name)s"),
}


def permission_name(permission: Permission) -> str:
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _separator, model_name = permission.codename.partition("_")
    opts = model._meta
    if model_name == opts.model_name and action in opts.default_permissions and action in DEFAULT_PERMISSION_NAMES:
        return DEFAULT_PERMISSION_NAMES[action] % {"verbose_name": opts.verbose_name}
    return str(dict(opts.permissions).get(permission.codename, permission.name))


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """Each permission as "app | model | what it allows", all three in the reader's language."""

    def label_from_instance(self, obj):
        return f"{obj.content_type} | {permission_name(obj)}"


class TranslatedPermissionsAdmin(admin.ModelAdmin):
    """For a ModelAdmin with a many-to-many of permissions (groups' and users')."""

    permission_fields = ("permissions", "user_permissions")

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in self.permission_fields:
            kwargs.setdefault("queryset", Permission.objects.select_related("content_type"))
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)
