"""The demo `make run` loads on an empty database shows a published portfolio at once."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from lxml import etree

from cooperation.roles import NPA_STAFF
from programs.services import REFERENCE_PROGRAMS_FILE

pytestmark = pytest.mark.django_db

DOCUMENT = json.loads(REFERENCE_PROGRAMS_FILE.read_text(encoding="utf-8"))

# The data steps of `cooperation.devstack.run`, in its order.
DEMO_COMMANDS = (
    "load_reference_data",
    "load_reference_programs",
    "create_demo_accounts",
    "publish_demo_programs",
)


@override_settings(DEBUG=True)
def test_the_demo_publishes_the_reference_programs_through_the_review():
    """Takes a few seconds: it loads the whole reference data and programs, as `make run`
    does, since what it checks is that very first start."""
    for command in DEMO_COMMANDS:
        call_command(command, stdout=StringIO())

    reviewers = get_user_model().objects.filter(groups__name=NPA_STAFF, username__in=("staff", "reviewer"))
    assert reviewers.count() == 2

    html = Client().get("/public/").content.decode()
    for program in DOCUMENT["programs"]:
        assert program["title"] in html

    response = Client().get("/api/v1/iati/activities.xml", HTTP_ACCEPT="application/xml")
    listed = {
        activity.findtext("iati-identifier")
        for activity in etree.fromstring(b"".join(response.streaming_content)).findall("iati-activity")
    }
    prefix = settings.IATI_REPORTING_ORG_REF
    assert listed == {f"{prefix}-PRG-{row['code']}" for row in DOCUMENT["programs"]} | {
        f"{prefix}-PRJ-{row['code']}" for row in DOCUMENT["projects"]
    }

    # Running it again (the next `make run`) publishes nothing twice.
    output = StringIO()
    call_command("publish_demo_programs", stdout=output)
    assert "nothing left to publish" in output.getvalue()
