"""Password logins with the second factor: one form behind every login page of the site.

A user with a confirmed authenticator (TOTP device) must add its current code to the
password; with REQUIRE_TWO_FACTOR_FOR_STAFF on, staff without one are refused. Failed
codes count towards the same lockout as failed passwords, so the six digits cannot be
guessed at leisure once the password is known.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device

MESSAGES = {
    "code_required": _("Enter the six-digit code from your authenticator app."),
    "code_invalid": _("That authentication code is not valid. Codes change every 30 seconds; try the current one."),
    "two_factor_required": _(
        "Staff accounts need two-factor authentication. Ask an administrator to register an authenticator for you."
    ),
}


def two_factor_required(user) -> bool:
    """Whether this user may only act once an authenticator code has been checked."""
    if user_has_device(user, confirmed=True):
        return True
    return bool(settings.REQUIRE_TWO_FACTOR_FOR_STAFF and user.is_staff)


def second_factor_satisfied(user) -> bool:
    """True for a session verified by a code, or for a user who needs none."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return not two_factor_required(user)


def verified_device(user, code: str) -> Device:
    """The user's device that accepts `code`; raises a ValidationError naming the problem."""
    devices = list(devices_for_user(user, confirmed=True, for_verify=True))
    if not devices:
        raise ValidationError(MESSAGES["two_factor_required"], code="two_factor_required")
    code = (code or "").strip().replace(" ", "")
    if not code:
        raise ValidationError(MESSAGES["code_required"], code="code_required")
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    raise ValidationError(MESSAGES["code_invalid"], code="code_invalid")


class SecondFactorMixin:
    """Adds the authenticator code to a Django authentication form and checks it."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["otp_token"] = forms.CharField(
            label=_("Authentication code"),
            required=False,
            max_length=12,
            help_text=_("Only if an authenticator app is registered for your account."),
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )

    def clean(self):
        cleaned = super().clean()
        self.check_second_factor()
        return cleaned

    def check_second_factor(self):
        user = self.get_user()
        if user is None or not two_factor_required(user):
            return
        try:
            # django_otp stores this device in the session when the login completes.
            user.otp_device = verified_device(user, self.cleaned_data.get("otp_token", ""))
        except ValidationError:
            user_login_failed.send(
                sender=type(self),
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
            self.user_cache = None
            raise


class TwoFactorAuthenticationForm(SecondFactorMixin, AuthenticationForm):
    pass


class TwoFactorAdminAuthenticationForm(SecondFactorMixin, AdminAuthenticationForm):
    pass


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while a user and address are locked out."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
