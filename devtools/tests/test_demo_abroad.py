"""The demo `make run` loads has officials abroad today, so the map and headcount are not empty."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from duty.selectors import officials_present

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_the_demo_sends_officials_abroad_once():
    """Takes a few seconds: it loads the reference data and programs the demo builds on, as `make run` does."""
    for command in ("load_reference_data", "load_reference_programs", "create_demo_accounts", "load_demo_abroad"):
        call_command(command, stdout=StringIO())

    found = officials_present(timezone.localdate())

    assert {presence.country for presence in found} == {"ID", "TL", "PH"}
    assert sum(presence.check_in_overdue for presence in found) == 1
    assert {presence.kind for presence in found} == {"deployment", "travel"}
    assert all(presence.latitude is not None for presence in found)
    again = StringIO()
    call_command("load_demo_abroad", stdout=again)
    assert "already loaded" in again.getvalue()
    assert len(officials_present(timezone.localdate())) == len(found)
