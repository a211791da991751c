"""Third-party apps under names our readers understand, in English and Japanese.

Each class is the app's own configuration with only its `verbose_name` replaced, named in
INSTALLED_APPS instead of the app: the admin then heads their models with these words
rather than "Axes", "Otp_Totp" or "Periodic Tasks". Their model names are translated by
our catalog (they go through gettext), except django-otp's, which the admin site relabels.
"""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpConfig


class LoginLockoutsConfig(AxesConfig):
    verbose_name = _("Login lockouts")


class AuthenticatorAppsConfig(TotpConfig):
    verbose_name = _("Two-factor authentication")


class ScheduledTasksConfig(BeatConfig):
    verbose_name = _("Scheduled tasks")


# The third-party words our pages show that the apps' own catalogs lack in Japanese, marked
# here so that `makemessages` keeps them in ours (the catalogs of LOCALE_PATHS come first).
THIRD_PARTY_MESSAGES = (
    # django-axes: its models and the columns of their lists.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    # django-celery-beat: its models, as the admin's index names them.
    gettext_noop("clocked"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
    # django-simple-history: the history page of every record.
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View history: %s"),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("None"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Revert"),
)
