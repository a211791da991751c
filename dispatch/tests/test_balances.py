"""Published checkpoints and opening balances: the reference data reproduces the published
cumulative totals, the figures add balances from their day on, and bad input is refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dispatch.models import FigureCheckpoint, OpeningBalance
from dispatch.models.balances import JDR_LAW_IN_FORCE, PKO_LAW_IN_FORCE
from dispatch.services import (
    figure_checkpoint_create,
    figure_checkpoint_update,
    opening_balance_create,
)
from dispatch.stats import checkpoint_reconciliation, relief_cumulative

from .factories import FigureCheckpointFactory, MissionFactory, OpeningBalanceFactory

pytestmark = pytest.mark.django_db


def test_a_balance_counts_from_its_day_and_a_gap_shows_as_a_difference():
    OpeningBalanceFactory(figure="relief_officers", as_of=date(2000, 6, 30), value=40)
    MissionFactory(requested_on=date(2000, 1, 10), police_officers_reported=7, country="TR")
    FigureCheckpointFactory(figure="relief_officers", as_of=date(2000, 6, 30), value=50)
    assert relief_cumulative(date(2000, 6, 29))["officers"] == 7
    assert relief_cumulative(date(2000, 6, 30))["officers"] == 7 + 40
    [row] = checkpoint_reconciliation(date(2000, 12, 31))
    assert (row["recorded"], row["opening_balance"], row["difference"]) == (7, 40, 7 + 40 - 50)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"as_of": JDR_LAW_IN_FORCE - timedelta(days=1)}, "as_of", "before_law"),
        ({"figure": "peace_officials", "as_of": PKO_LAW_IN_FORCE - timedelta(days=1)}, "as_of", "before_law"),
        ({"as_of": timezone.localdate() + timedelta(days=1)}, "as_of", "in_future"),
        ({"value": -1}, "value", "min_value"),
        ({"source_title": ""}, "source_title", "blank"),
        ({"figure": "relief_days"}, "figure", "invalid_choice"),
    ],
)
def test_bad_statements_are_refused_by_field(staff_user, change, field, code):
    data = {
        "figure": "relief_officers",
        "as_of": date(2005, 9, 30),
        "value": 143,
        "source_title": "Policy Initiatives",
        "source_document": "domain/002.txt",
    }
    for create in (figure_checkpoint_create, opening_balance_create):
        extra = {"explanation": "published less recorded"} if create is opening_balance_create else {}
        with pytest.raises(ValidationError) as refused:
            create(actor=staff_user, **{**data, **extra, **change})
        assert code in [error.code for error in refused.value.error_dict[field]]
    assert not FigureCheckpoint.objects.exists()
    assert not OpeningBalance.objects.exists()


def test_a_second_total_for_the_same_figure_and_day_is_refused(staff_user):
    first = FigureCheckpointFactory(as_of=date(2005, 9, 30))
    other_day = FigureCheckpointFactory(as_of=date(2012, 12, 31), value=242)
    with pytest.raises(ValidationError) as refused:
        figure_checkpoint_update(checkpoint=other_day, actor=staff_user, as_of=first.as_of)
    assert "duplicate" in [error.code for errors in refused.value.error_dict.values() for error in errors]
    other_day.refresh_from_db()
    assert other_day.as_of == date(2012, 12, 31)


def test_the_admin_shows_a_refusal_as_a_form_error(client, staff_user):
    """About a second: the admin's add page is rendered twice."""
    client.force_login(staff_user)
    assert client.get("/admin/dispatch/openingbalance/add/").status_code == 200
    form = {
        "figure": "peace_officials",
        "as_of": "1992-08-09",
        "value": "5",
        "source_title": "Policy Initiatives",
        "source_document": "domain/002.txt",
        "explanation": "published less recorded",
    }
    response = client.post("/admin/dispatch/openingbalance/add/", form)
    assert response.status_code == 200
    assert "1992-08-10" in str(response.context["adminform"].form.errors["as_of"])
    assert not OpeningBalance.objects.exists()


def test_staff_and_managers_read_the_statements_and_nobody_writes_them_here(manager_api, staff_api):
    FigureCheckpointFactory(figure="relief_officers", as_of=date(2005, 9, 30), value=143)
    FigureCheckpointFactory(figure="peace_officials", as_of=date(2005, 9, 30), value=78)
    listed = manager_api.get("/api/v1/figure-checkpoints/", {"figure": "peace_officials"})
    assert listed.status_code == 200
    assert [(row["figure"], row["value"]) for row in listed.json()["results"]] == [("peace_officials", 78)]
    body = {
        "figure": "relief_officers",
        "as_of": "2012-12-31",
        "value": 242,
        "source_title": "t",
        "source_document": "d",
    }
    assert staff_api.post("/api/v1/figure-checkpoints/", body, format="json").status_code == 405
    assert manager_api.post("/api/v1/figure-checkpoints/", body, format="json").status_code == 403
    assert FigureCheckpoint.objects.count() == 2
