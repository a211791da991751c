"""The staff's admin: roster search, lifecycle actions, candidates; refusals are messages."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cooperation.tests.factories import CooperationFieldFactory
from cooperation.tests.service_doubles import refusing
from cooperation.validation import refusal
from dispatch import services
from dispatch.admin import ChecklistItemInline, SafetyCheckInInline
from dispatch.models import Deployment, DeploymentStatusChange, SafetyCheckIn

from .conftest import bring_to, ready_deployment
from .factories import DeploymentFactory, ExpertFactory, ExpertLanguageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_roster_search_by_language_field_experience_and_availability(admin_client, today):
    field = CooperationFieldFactory(code="koban-adm", name="Koban (adm)")
    speaker = ExpertFactory(family_name="Speaker", countries_of_experience=["TL"])
    ExpertLanguageFactory(expert=speaker, language="pt", level=4)
    speaker.specialties.set([field])
    busy = ExpertFactory(family_name="Busy")
    DeploymentFactory(expert=busy, planned_start=today - timedelta(days=5), planned_end=today + timedelta(days=5))
    url = reverse("admin:dispatch_expert_changelist")

    def names(query):
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code == 200
        return {expert.family_name for expert in response.context["cl"].result_list}

    assert names("language=pt") == {"Speaker"}
    assert names(f"specialties__id__exact={field.pk}") == {"Speaker"}
    assert names("experience=TL") == {"Speaker"}
    assert names("availability=busy_now") == {"Busy"}
    assert names("availability=free_now") == {"Speaker"}


def test_change_pages_render_with_their_inlines(admin_client, staff_user):
    deployment = bring_to(ready_deployment(), "deployed", staff_user)
    response = admin_client.get(reverse("admin:dispatch_deployment_change", args=[deployment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pre-departure checklist" in html or "pre-departure checklist" in html.lower()
    assert "status history" in html.lower()
    assert admin_client.get(reverse("admin:dispatch_expert_change", args=[deployment.expert_id])).status_code == 200
    assert admin_client.get(reverse("admin:dispatch_deployment_add")).status_code == 200


def test_a_refused_action_is_a_message_listing_the_reasons(admin_client, staff_user, today):
    deployment = bring_to(ready_deployment(expert=ExpertFactory(passport_expiry=today)), "preparing", staff_user)
    response = admin_client.post(
        reverse("admin:dispatch_deployment_changelist"),
        {"action": "move_to_deployed", "_selected_action": [deployment.pk]},
        follow=True,
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert "Checklist item not done: Visa." in message
    assert "passport expires" in message
    assert Deployment.objects.get(pk=deployment.pk).status == "preparing"


def test_actions_move_deployments(admin_client):
    deployment = ready_deployment()
    response = admin_client.post(
        reverse("admin:dispatch_deployment_changelist"),
        {"action": "move_to_nominated", "_selected_action": [deployment.pk]},
        follow=True,
    )
    assert Deployment.objects.get(pk=deployment.pk).status == "nominated"
    assert messages_of(response) == ["1 deployment moved to Nominated."]


def test_the_action_message_counts_in_the_plural_and_names_the_status(admin_client):
    deployments = [ready_deployment(), ready_deployment()]
    response = admin_client.post(
        reverse("admin:dispatch_deployment_changelist"),
        {"action": "move_to_cancelled", "_selected_action": [d.pk for d in deployments]},
        follow=True,
    )
    assert messages_of(response) == ["2 deployments moved to Cancelled."]


def test_candidates_page_nominates(admin_client):
    request = DeploymentFactory(expert=None, planned_start=date(2031, 1, 1), planned_end=date(2031, 2, 1))
    speaker = ExpertFactory(family_name="Speaker")
    ExpertLanguageFactory(expert=speaker, language="id", level=5)
    url = reverse("admin:dispatch_deployment_candidates", args=[request.pk])
    page = admin_client.get(f"{url}?language=id:3")
    assert page.status_code == 200
    assert "Speaks Indonesian at level 3 or better." in page.content.decode()
    bad = admin_client.get(f"{url}?language=xx")
    assert bad.status_code == 200
    assert "ISO 639-1" in bad.content.decode()
    admin_client.post(url, {"expert": speaker.pk})
    request.refresh_from_db()
    assert (request.status, request.expert) == ("nominated", speaker)


def test_a_busy_nominee_is_refused_with_a_message(admin_client):
    busy = ExpertFactory()
    held = DeploymentFactory(expert=busy, planned_start=date(2031, 1, 1), planned_end=date(2031, 3, 1))
    request = DeploymentFactory(expert=None, planned_start=date(2031, 2, 1), planned_end=date(2031, 4, 1))
    response = admin_client.post(
        reverse("admin:dispatch_deployment_candidates", args=[request.pk]), {"expert": busy.pk}, follow=True
    )
    assert response.status_code == 200
    assert any(f"#{held.pk}" in message for message in messages_of(response))
    assert Deployment.objects.get(pk=request.pk).status == "requested"


def test_an_overlapping_admin_edit_is_a_form_error(admin_client):
    expert = ExpertFactory()
    held = DeploymentFactory(expert=expert, planned_start=date(2031, 1, 1), planned_end=date(2031, 3, 1))
    later = DeploymentFactory(expert=expert, planned_start=date(2031, 5, 1), planned_end=date(2031, 6, 1))
    url = reverse("admin:dispatch_deployment_change", args=[later.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "planned_start": "2031-02-01",
            "planned_end": "2031-06-01",
            "kind": later.kind,
            "project": later.project_id,
            "expert": expert.pk,
            "country": "ID",
        }
    )
    for prefix in ("checklist", "check_ins", "status_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert f"#{held.pk}" in response.content.decode()
    assert Deployment.objects.get(pk=later.pk).planned_start == date(2031, 5, 1)


def deployment_page(admin_client, deployment, *, tick=(), check_in=None) -> tuple[str, dict]:
    """The deployment's change page and its data as sent back, with the checklist items of
    the kinds in `tick` ticked and, given `check_in` (status, note), one check-in added."""
    url = reverse("admin:dispatch_deployment_change", args=[deployment.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "expert"}
    data.update({"expert": deployment.expert_id, "project": deployment.project_id})
    checklist = list(deployment.checklist.order_by("kind"))
    data.update({"checklist-TOTAL_FORMS": len(checklist), "checklist-INITIAL_FORMS": len(checklist)})
    for n, item in enumerate(checklist):
        data.update({f"checklist-{n}-id": item.pk, f"checklist-{n}-deployment": deployment.pk})
        if item.is_done or item.kind in tick:
            data[f"checklist-{n}-done"] = "on"
        if item.required:
            data[f"checklist-{n}-required"] = "on"
    data.update({"check_ins-TOTAL_FORMS": 0, "check_ins-INITIAL_FORMS": 0})
    if check_in is not None:
        # A check-in cannot lie in the future: report it at the current minute of the agency's clock.
        now = timezone.localtime()
        status, note = check_in
        data.update(
            {
                "check_ins-TOTAL_FORMS": 1,
                "check_ins-0-at_0": str(now.date()),
                "check_ins-0-at_1": now.strftime("%H:%M"),
                "check_ins-0-status": status,
                "check_ins-0-note": note,
            }
        )
    data.update({"status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0})
    return url, data


def test_check_ins_are_added_inline_while_deployed(admin_client, staff_user):
    deployment = bring_to(ready_deployment(), "deployed", staff_user)
    response = admin_client.post(*deployment_page(admin_client, deployment, check_in=("ok", "Safe")))
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    (check_in,) = SafetyCheckIn.objects.filter(deployment=deployment)
    assert (check_in.note, check_in.by) == ("Safe", staff_user)


def test_a_checklist_tick_goes_through_the_service(admin_client, staff_user, monkeypatch):
    """About two seconds: the deployment reaches `preparing` through the lifecycle services,
    and its change page, with every inline, is read and sent back."""
    deployment = bring_to(ready_deployment(), "preparing", staff_user)
    item = deployment.checklist.filter(done_at__isnull=True).order_by("kind").first()
    called = []

    def update(**kwargs):
        called.append(sorted(kwargs))
        return services.checklist_item_update(**kwargs)

    monkeypatch.setattr(ChecklistItemInline, "update_service", staticmethod(update))
    response = admin_client.post(*deployment_page(admin_client, deployment, tick=[item.kind]))
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    # Only the ticked item is saved, and the tick travels to the service.
    assert called == [["actor", "checklist_item", "deployment", "done", "note", "required"]]
    item.refresh_from_db()
    assert (item.is_done, item.done_by) == (True, staff_user)
    assert item.history.latest().history_user == staff_user


def test_a_refused_check_in_is_an_error_on_its_row(admin_client, staff_user, monkeypatch):
    """About two seconds: the deployment reaches `deployed` through the lifecycle services,
    and the refused save builds the change page a second time."""
    deployment = bring_to(ready_deployment(), "deployed", staff_user)
    refused = refusal("status", "The expert reported in another way.", "refused_status")
    monkeypatch.setattr(SafetyCheckInInline, "create_service", refusing(services.safety_check_in_record, refused))
    response = admin_client.post(*deployment_page(admin_client, deployment, check_in=("ok", "Safe")))
    assert response.status_code == 200
    check_ins = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "check_ins")
    assert check_ins.forms[0].errors.as_data()["status"][0].code == "refused_status"
    assert not SafetyCheckIn.objects.exists()


def test_completion_report_page(admin_client, staff_user):
    deployment = bring_to(ready_deployment(), "returned", staff_user)
    url = reverse("admin:dispatch_deployment_completion", args=[deployment.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"completion_report": "Handed over.", "recognition": "Letter of thanks"})
    deployment.refresh_from_db()
    assert (deployment.completion_report, deployment.recognition) == ("Handed over.", "Letter of thanks")


def test_who_moved_a_deployment_links_to_an_account_only_for_a_viewer_who_may_open_it(
    admin_client, client, staff_user, coordinator_user
):
    """Staff cannot open a staff account, so its name is plain text for them; a superuser
    gets the link, and staff get it for a partner account they manage."""
    deployment = bring_to(ready_deployment(), "nominated", staff_user)
    # A move credited to a partner account (as an imported history could be).
    DeploymentStatusChange.objects.create(
        deployment=deployment, from_status="nominated", to_status="nominated", actor=coordinator_user
    )
    page = reverse("admin:dispatch_deployment_change", args=[deployment.pk])
    html = admin_client.get(page).content.decode()
    assert staff_user.username in html
    assert reverse("admin:auth_user_change", args=[staff_user.pk]) not in html
    assert reverse("admin:auth_user_change", args=[coordinator_user.pk]) in html
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client.force_login(superuser)
    assert reverse("admin:auth_user_change", args=[staff_user.pk]) in client.get(page).content.decode()


def test_a_departure_recorded_before_the_planned_start_is_a_warning(admin_client, staff_user, today):
    deployment = bring_to(ready_deployment(planned_start=today + timedelta(days=10)), "preparing", staff_user)
    for item in deployment.checklist.filter(required=True):
        services.checklist_item_mark(item=item, done=True, actor=staff_user)
    response = admin_client.post(
        reverse("admin:dispatch_deployment_changelist"),
        {"action": "move_to_deployed", "_selected_action": [deployment.pk]},
        follow=True,
    )
    shown = {(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)}
    planned = (today + timedelta(days=10)).isoformat()
    assert shown == {
        ("success", "1 deployment moved to Deployed."),
        (
            "warning",
            f"#{deployment.pk}: The departure ({today.isoformat()}) is recorded before the planned start ({planned}).",
        ),
    }
    assert Deployment.objects.get(pk=deployment.pk).actual_start == today


def test_recorded_dates_edited_against_the_plan_are_a_warning_once(admin_client, staff_user):
    """About two seconds: the deployment is walked to `deployed`, and its change page, with
    every inline, is read and sent back twice."""
    deployment = bring_to(ready_deployment(), "deployed", staff_user)
    early = deployment.planned_start - timedelta(days=3)
    url, data = deployment_page(admin_client, deployment)
    response = admin_client.post(url, {**data, "actual_start": early.isoformat()}, follow=True)
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        f"The departure ({early.isoformat()}) is recorded before the planned start "
        f"({deployment.planned_start.isoformat()})."
    ]
    assert Deployment.objects.get(pk=deployment.pk).actual_start == early
    # Saved again without touching a date: nothing new to say.
    url, data = deployment_page(admin_client, Deployment.objects.get(pk=deployment.pk))
    response = admin_client.post(url, {**data, "post": "Senior advisor"}, follow=True)
    assert [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"] == []


def test_the_country_filter_is_a_dropdown(admin_client):
    DeploymentFactory(country="VN")
    response = admin_client.get(reverse("admin:dispatch_deployment_changelist"), {"country__exact": "VN"})
    page = response.content.decode()
    assert page.count('data-dropdown-filter aria-label="Duty country"') == 1
    assert '<option value="?country__exact=VN" selected>' in page
    # A short list keeps the admin's links.
    assert '<a href="?country__exact=VN&amp;status__exact=requested">' in page
