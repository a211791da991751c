from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.services import checklist_item_mark, deployment_record_completion, deployment_transition

from .factories import DeploymentFactory, ExpertFactory, ProjectFactory, partner_in

# The lifecycle's main line, in order.
MAIN_LINE = ("requested", "nominated", "preparing", "deployed", "returned", "closed")


@pytest.fixture
def today():
    return timezone.localdate()


def ready_deployment(**kwargs):
    """A requested deployment that starts today and runs for half a year."""
    start = timezone.localdate()
    kwargs.setdefault("planned_start", start)
    kwargs.setdefault("planned_end", start + timedelta(days=180))
    return DeploymentFactory(**kwargs)


def bring_to(deployment, status: str, actor):
    """Walk a deployment along the lifecycle to `status`, meeting every condition on the way."""
    if status == "cancelled":
        return deployment_transition(deployment=deployment, to="cancelled", actor=actor)
    for step in MAIN_LINE[MAIN_LINE.index(deployment.status) + 1 : MAIN_LINE.index(status) + 1]:
        if step == "deployed":
            for item in deployment.checklist.filter(required=True):
                checklist_item_mark(item=item, done=True, actor=actor)
        if step == "closed":
            deployment_record_completion(deployment=deployment, completion_report="All done.", actor=actor)
        on = deployment.planned_start if step in ("deployed", "returned") else None
        deployment = deployment_transition(deployment=deployment, to=step, actor=actor, on=on)
    return deployment


@pytest.fixture
def partner_project(partner_org):
    project = ProjectFactory()
    partner_in(project.program, partner_org)
    return project


@pytest.fixture
def other_project(other_org):
    project = ProjectFactory()
    partner_in(project.program, other_org)
    return project


@pytest.fixture
def expert():
    return ExpertFactory()
