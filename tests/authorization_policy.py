"""Who may do what, written once as a readable table, for the authorization matrix.

The matrix (test_authorization_matrix.py) walks the URL configuration and asks this
module, for every endpoint, role and target (a record of the coordinator's own
organization or of another one), which answer the site must give. An endpoint this
module does not know about is reported by name instead of being guessed.

The policy (docs/security.md, "Authorization"):
- anonymous callers of the API get 401; pages send them to a login page;
- a signed-in user without a role gets 403 everywhere but the public pages;
- agency staff (and superusers) keep every record;
- managers read every record and write none;
- partner coordinators read only what their AppConfig grants (`partner_permissions`),
  and of it only the rows their organization takes part in: another organization's
  record answers 404, so that its existence does not leak.
"""

from __future__ import annotations

from cooperation.roles import DOMAIN_APPS, STAFF_ONLY_APPS, STAFF_TOOL_APPS, partner_permissions

ANONYMOUS = "anonymous"
ROLELESS = "roleless"
STAFF = "staff"
MANAGER = "manager"
COORDINATOR = "coordinator"
SUPERUSER = "superuser"
ROLES = (ANONYMOUS, ROLELESS, STAFF, MANAGER, COORDINATOR, SUPERUSER)

OWN = "own"
OTHER = "other"

# What a permitted caller gets back for each standard operation of a resource.
SUCCESS = {
    "list": 200,
    "retrieve": 200,
    "create": 201,
    "update": 200,
    "partial_update": 200,
    "destroy": 204,
    "history": 200,
}
NEEDS = {
    "list": "view",
    "retrieve": "view",
    "history": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}
METHOD_OF = {
    "list": "get",
    "retrieve": "get",
    "history": "get",
    "create": "post",
    "update": "put",
    "partial_update": "patch",
    "destroy": "delete",
}
DETAIL_OPERATIONS = {"retrieve", "update", "partial_update", "destroy", "history"}


def resource_expectation(model, operation: str, role: str, target: str, http_methods) -> int:
    """The answer of a standard operation (list, retrieve, create, …) of a resource."""
    if role == ANONYMOUS:
        return 401
    needed = NEEDS[operation]
    if role == ROLELESS:
        return 403
    if role in (MANAGER, COORDINATOR) and model._meta.app_label in STAFF_ONLY_APPS:
        # Where officials are abroad: managers read the counts on the dashboard only.
        return 403
    if role == MANAGER and needed != "view":
        return 403
    if role == COORDINATOR and needed not in partner_permissions().get(model._meta.label_lower, set()):
        return 403
    if METHOD_OF[operation] not in http_methods:
        return 405
    if operation == "history" and role not in (STAFF, SUPERUSER):
        # Who changed what is for staff only, whatever the record.
        return 403
    if operation == "destroy" and model._meta.model_name in STILL_REFERENCED:
        # Allowed, and refused by the database's PROTECT references: the matrix's records
        # of these resources are in use by others.
        return 409
    scoped = hasattr(model, "partner_scope")
    if role == COORDINATOR and scoped and target == OTHER:
        # A record of another organization does not exist for the coordinator; a new one
        # pointing at another organization's records is refused by field.
        return 400 if operation == "create" else 404
    return SUCCESS[operation]


# Resources whose records in the matrix's dataset other records still point at.
# (Programs, experts and trainees are archived instead: their DELETE answers 204.)
STILL_REFERENCED = {"course", "disasterevent", "organization", "project"}


def staff_only(success: int, *, reads: bool = False, manager: int | None = None, coordinator=403):
    """An action only staff may take. `manager`/`coordinator` override their answer."""
    return {
        ANONYMOUS: 401,
        ROLELESS: 403,
        STAFF: success,
        SUPERUSER: success,
        MANAGER: manager if manager is not None else (403 if not reads else success),
        COORDINATOR: coordinator,
    }


# The resources that take a file of history (cooperation/api/row_imports.py).
HISTORY_IMPORT_RESOURCES = ("deployment", "mission", "course", "trainee", "delegation")

# The custom actions of the resources (@action), by route name and method. Values are
# the answer per role; a pair (own, other) where the target matters. Staff answers
# are given for the bodies the matrix sends (test_authorization_matrix.ACTION_BODIES).
ACTIONS: dict[str, dict[str, dict]] = {
    # Candidate search ranks experts with reasons: staff decide dispatches.
    "expert-candidates": {"get": staff_only(200)},
    "deployment-candidates": {"get": staff_only(200)},
    "deployment-transition": {"post": staff_only(200)},
    "deployment-approve": {"post": staff_only(200)},
    "deployment-completion": {"post": staff_only(400)},
    "deployment-checklist": {"post": staff_only(400)},
    # The status history of a deployment: whoever may read the deployment.
    "deployment-status-history": {"get": staff_only(200, reads=True, coordinator=(200, 404))},
    # Safety check-ins reveal where officials are: staff and managers read, staff write.
    "deployment-check-ins": {"get": staff_only(200, reads=True), "post": staff_only(400)},
    "mission-assemble": {"post": staff_only(400)},
    "mission-readiness": {"get": staff_only(200, reads=True)},
    # Partners nominate to the courses open to them; a course not open to them is 404.
    "course-nominations": {"post": staff_only(400, coordinator=(400, 404))},
    "enrollment-transition": {"post": staff_only(200)},
    # Partners withdraw their own nominees.
    "enrollment-withdraw": {"post": staff_only(200, coordinator=(200, 404))},
    # Recording the past and importing history are agency staff's (the matrix sends no file).
    "deployment-record-past": {"post": staff_only(400)},
    "enrollment-record-past": {"post": staff_only(400)},
    "delegation-record-past": {"post": staff_only(400)},
    **{
        f"{resource}-history-{name}": {method: staff_only(answer)}
        for resource in HISTORY_IMPORT_RESOURCES
        for name, method, answer in (("import", "post", 400), ("template", "get", 200))
    },
    # Partners' reported values are reviewed by agency staff.
    "periodvalue-approve": {"post": staff_only(200)},
    "periodvalue-return": {"post": staff_only(200)},
    # Archived records come back by staff only (the matrix archives the record first).
    "program-restore": {"post": staff_only(200)},
    "expert-restore": {"post": staff_only(200)},
    "trainee-restore": {"post": staff_only(200)},
    # Incidents and their roll calls name officials abroad: staff only. The matrix sends
    # no file and no mark; its incidents have nobody on the roll call, so they close.
    "incident-cap": {"post": staff_only(400)},
    "incident-close": {"post": staff_only(200)},
    "incident-roll-call": {"get": staff_only(200), "post": staff_only(400)},
}


def action_expectation(route: str, method: str, role: str, target: str) -> int:
    answer = ACTIONS[route][method][role]
    if isinstance(answer, tuple):
        return answer[0] if target == OWN else answer[1]
    return answer


def _everyone(status: int) -> dict:
    return dict.fromkeys(ROLES, status)


def _readers(allowed: int, *, anonymous: int = 302) -> dict:
    """Report pages: staff and managers (and superusers) read them."""
    return {
        ANONYMOUS: anonymous,
        ROLELESS: 403,
        STAFF: allowed,
        MANAGER: allowed,
        COORDINATOR: 403,
        SUPERUSER: allowed,
    }


def _reporters(allowed: int) -> dict:
    """Pages of partner reporting: coordinators and staff (who may report too)."""
    return {**staff_only(allowed), COORDINATOR: allowed, ANONYMOUS: 302}


# Every endpoint that is not a resource of the router, by route and method.
PAGES: dict[str, dict[str, dict]] = {
    # Health is public; 503 (degraded) when no worker answers, as in the tests.
    "healthz": {"get": _everyone((200, 503))},
    # Liveness is public and needs nothing but the process.
    "livez": {"get": _everyone(200)},
    # The API root lists the resources; the API needs a signed-in caller.
    "api/v1/": {"get": {**_everyone(200), ANONYMOUS: 401}},
    "api/v1/reports/annual-summary/": {"get": _readers(200, anonymous=401)},
    # The former address answers the same.
    "api/v1/reports/annual-summary": {"get": _readers(200, anonymous=401)},
    # The IATI file is published data for the world.
    "api/v1/iati/activities.xml": {"get": _everyone(200)},
    "api/schema/": {"get": _everyone(200)},
    "api/docs/": {"get": _everyone(200)},
    # The browsable API's login is the site's one (with the second factor).
    "api-auth/login/": {"get": _everyone(302)},
    "api-auth/logout/": {"post": _everyone(200)},
    "accounts/login/": {"get": _everyone(200)},
    "accounts/logout/": {"post": _everyone(200)},
    "accounts/password_change/": {"get": {**_everyone(200), ANONYMOUS: 302}},
    "accounts/password_change/done/": {"get": {**_everyone(200), ANONYMOUS: 302}},
    "accounts/password_reset/": {"get": _everyone(200)},
    "accounts/password_reset/done/": {"get": _everyone(200)},
    "accounts/reset/<uidb64>/<token>/": {"get": _everyone(200)},
    "accounts/reset/done/": {"get": _everyone(200)},
    "i18n/setlang/": {"post": _everyone(302)},
    "dashboard/": {"get": _readers(200)},
    "dashboard/download/": {"get": _readers(200)},
    "dashboard/watch-list/": {"get": _readers(200)},
    # An empty form: the readers are sent back to the dashboard with the form's errors,
    # nobody else gets that far.
    "dashboard/packs/": {"post": _readers(302)},
    # A pack belongs to the manager who asked for it; anyone else's is 404.
    "dashboard/packs/<int:pk>/": {"get": {**_readers(404), MANAGER: 200}},
    "dashboard/packs/<int:pk>/download/": {"get": {**_readers(404), MANAGER: 200}},
    # Targets against actuals of a program: staff and managers, like the dashboard.
    "dashboard/results/": {"get": _readers(200)},
    # Certificates are printed by staff.
    "trainees/certificates/<int:pk>/": {"get": {**staff_only(200), ANONYMOUS: 302}},
    # A follow-up survey is answered through its link, by whoever holds it, signed in or not.
    "trainees/surveys/<str:token>/": {"get": _everyone(200)},
    # Results by period: coordinators report for their organization, staff review; the
    # period and the value named are the coordinator's own organization's.
    "results/report/": {"get": _reporters(200)},
    "results/report/<int:pk>/": {"get": _reporters(200)},
    "results/review/": {"get": {**staff_only(200), ANONYMOUS: 302}},
    # The matrix sends no reason: staff are sent back to the list with the refusal.
    "results/review/<int:pk>/": {"post": {**staff_only(302), ANONYMOUS: 302}},
    "results/evidence/<int:pk>/": {"get": {**staff_only(200, reads=True, coordinator=200), ANONYMOUS: 302}},
    "public/": {"get": _everyone(200)},
    "public/programs/<str:code>/": {"get": _everyone(200)},
    # Each kind of user is sent to its own door.
    "": {"get": _everyone(302)},
    # Duty of care names officials abroad and whom to call: staff only. Managers read the
    # counts on the dashboard; partners see nothing of it.
    "api/v1/presence/": {"get": staff_only(200)},
    "duty/": {"get": {**staff_only(200), ANONYMOUS: 302}},
    "duty/evacuation/<str:country>/": {"get": {**staff_only(200), ANONYMOUS: 302}},
    "duty/evacuation/<str:country>/xlsx/": {"get": {**staff_only(200), ANONYMOUS: 302}},
}


def admin_expectation(page: str, role: str, model_label: str, has_object: bool):
    """The admin: agency staff (is_staff) with the model permissions; everyone else is
    sent to the admin's login page (managers read through the dashboard and the API)."""
    if role not in (STAFF, SUPERUSER):
        return 302
    if role == STAFF and model_label == "auth.user":
        # Staff manage partner accounts (the first account, roleless, is one), but close
        # them rather than delete them.
        return 403 if page == "delete" else 200
    if role == STAFF and model_label.split(".", 1)[0] not in STAFF_ADMIN_APPS:
        return 403
    if page in ADMIN_REFUSED.get(model_label, ()):
        return 403
    if page in ("change", "delete", "history") and not has_object:
        # Nothing to show: back to the index, not found, or refused before the lookup.
        return (302, 403, 404)
    return 200


# The apps staff administer (cooperation.roles.role_permissions grants them all of these).
STAFF_ADMIN_APPS = (*DOMAIN_APPS, *STAFF_TOOL_APPS)

# Admin pages refused to everyone, superusers included: audit trails and queues are
# written by the system only, login attempts by the lockout, an enrollment is
# withdrawn, never deleted, a possible duplicate is queued by a nomination and
# resolved by merging or dismissing it, and a survey invitation is sent by the daily run.
ADMIN_REFUSED = {
    "axes.accessattempt": {"add"},
    "axes.accessfailurelog": {"add"},
    "axes.accesslog": {"add"},
    "cooperation.notification": {"add", "delete"},
    "cooperation.outboxtask": {"add", "delete"},
    "cooperation.personaldataexport": {"add", "delete"},
    "cooperation.purgerecord": {"add", "delete"},
    # A reported value is entered by its reporter and reviewed, never added or deleted here.
    "programs.periodvalue": {"add", "delete"},
    # An incident is closed with a record, never deleted.
    "duty.incident": {"delete"},
    "trainees.enrollment": {"delete"},
    "trainees.surveyinvitation": {"add", "delete"},
    "trainees.traineeduplicate": {"add", "delete"},
}
