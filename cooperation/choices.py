"""Choice lists shared by more than one app, each defined once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """A person's gender, as the person states it (experts and trainees alike)."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    # Declined, or never asked: either way the record says nothing more.
    UNDISCLOSED = "undisclosed", _("Not stated")
