"""Results by period: periods, progress by each aggregation, breakdowns, the review of
partners' values, locked periods, roll-up and evidence."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import UserFactory
from programs import services
from programs.choices import Aggregation, Direction, PeriodKind, ValueSource, ValueStatus
from programs.models import IndicatorPeriod, PeriodValue, PeriodValueBreakdown, PeriodValueStatusChange
from programs.results import period_progress, rolled_up_progress

from .factories import (
    DisaggregationCategoryFactory,
    DisaggregationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ProgramPartnerFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

QUARTERS = [
    (date(2024, 4, 1), date(2024, 6, 30)),
    (date(2024, 7, 1), date(2024, 9, 30)),
    (date(2024, 10, 1), date(2024, 12, 31)),
]
TARGETS = [Decimal("10"), Decimal("20"), Decimal("30")]
# Approved values per quarter, in the order approved; the third quarter has none.
VALUES = [[Decimal("4"), Decimal("6")], [Decimal("5"), Decimal("25")], []]
PENDING = Decimal("1000")  # submitted, never approved: counts nowhere


@pytest.fixture
def reporting(partner_org, coordinator_user):
    project = ProjectFactory()
    ProgramPartnerFactory(program=project.program, organization=partner_org)
    indicator = IndicatorFactory(project=project)
    period = IndicatorPeriodFactory(indicator=indicator)
    return indicator, period


def quarters_with_values(indicator, staff_user, coordinator_user):
    periods = []
    for (start, end), target, values in zip(QUARTERS, TARGETS, VALUES, strict=True):
        period = IndicatorPeriodFactory(indicator=indicator, start=start, end=end, target=target)
        for value in values:
            services.period_value_record(period=period, actor=staff_user, value=value, source=ValueSource.STAFF)
        periods.append(period)
    services.period_value_submit(period=periods[0], actor=coordinator_user, value=PENDING)
    return periods


def mean(values):
    return sum(values) / len(values)


@pytest.mark.parametrize("aggregation", Aggregation.values)
def test_progress_by_each_aggregation(aggregation, reporting, staff_user, coordinator_user):
    indicator, _ = reporting
    indicator.periods.all().delete()
    indicator.aggregation = aggregation
    indicator.save()
    quarters_with_values(indicator, staff_user, coordinator_user)

    combine = {"sum": sum, "latest": lambda v: v[-1], "average": mean}[aggregation]
    actuals = [combine(values) if values else None for values in VALUES]
    given = [a for a in actuals if a is not None]
    progress = period_progress(indicator)

    assert [(p.start, p.end) for p in progress] == QUARTERS
    assert [p.target for p in progress] == TARGETS
    assert [p.actual for p in progress] == actuals
    assert [p.cumulative_actual for p in progress] == [combine(given[:1]), combine(given[:2]), combine(given)]
    assert [p.cumulative_target for p in progress] == [combine(TARGETS[: i + 1]) for i in range(3)]
    assert progress[0].percent == actuals[0] / TARGETS[0] * 100
    assert progress[0].met == (actuals[0] >= TARGETS[0])
    assert progress[2].percent is None and progress[2].met is None


def test_lower_is_better_meets_its_target_from_below(reporting, staff_user):
    indicator, period = reporting
    indicator.direction = Direction.LOWER
    indicator.save()
    services.period_value_record(period=period, actor=staff_user, value=period.target - 1, source=ValueSource.STAFF)
    assert period_progress(indicator)[0].met is True


def test_generate_periods_follows_the_fiscal_year(reporting, staff_user):
    indicator, _ = reporting
    indicator.periods.all().delete()
    for kind, expected in [
        (PeriodKind.FISCAL_YEAR, [(date(2023, 4, 1), date(2024, 3, 31)), (date(2024, 4, 1), date(2025, 3, 31))]),
        (PeriodKind.QUARTERLY, [(date(2024, 1, 1), date(2024, 3, 31)), (date(2024, 4, 1), date(2024, 6, 30))]),
        (PeriodKind.MONTHLY, [(date(2024, 2, 1), date(2024, 2, 29)), (date(2024, 3, 1), date(2024, 3, 31))]),
    ]:
        indicator.period_kind = kind
        made = services.generate_periods(indicator, date(2024, 2, 10), date(2024, 4 if kind != "monthly" else 3, 2))
        assert [(p.start, p.end) for p in made] == expected
        assert services.generate_periods(indicator, date(2024, 2, 10), date(2024, 3, 2), actor=staff_user) == []
        indicator.periods.all().delete()


def test_overlapping_period_is_refused(reporting, staff_user):
    indicator, period = reporting
    with pytest.raises(ValidationError) as refused:
        services.indicator_period_create(
            actor=staff_user, indicator=indicator, start=period.end, end=date(2024, 12, 31)
        )
    assert refused.value.message_dict["__all__"] == ["The indicator already has a period overlapping these dates."]
    assert indicator.periods.count() == 1


def test_breakdown_that_does_not_add_up_is_refused(reporting, coordinator_user):
    indicator, period = reporting
    women, men = DisaggregationCategoryFactory.create_batch(
        2, disaggregation=DisaggregationFactory(indicator=indicator)
    )
    with pytest.raises(ValidationError) as refused:
        services.period_value_submit(
            period=period,
            actor=coordinator_user,
            value=Decimal("10"),
            breakdown={women: Decimal("3"), men: Decimal("4")},
        )
    assert refused.value.message_dict == {"breakdown": ["The breakdown by gender adds up to 7, not to the value 10."]}
    assert not PeriodValue.objects.exists() and not PeriodValueBreakdown.objects.exists()

    # An incomplete breakdown is no claim about the total; a complete one that adds up is kept.
    partial = services.period_value_submit(
        period=period, actor=coordinator_user, value=Decimal("10"), breakdown={women: 3}
    )
    assert [(row.category, row.amount) for row in partial.breakdown.all()] == [(women, 3)]
    later = IndicatorPeriodFactory(indicator=indicator, start=date(2024, 7, 1), end=date(2024, 9, 30))
    value = services.period_value_submit(
        period=later, actor=coordinator_user, value=Decimal("7"), breakdown={women: Decimal("3"), men: Decimal("4")}
    )
    assert {row.category: row.amount for row in value.breakdown.all()} == {women: 3, men: 4}


def test_database_refuses_a_breakdown_that_does_not_add_up(reporting, staff_user):
    indicator, period = reporting
    disaggregation = DisaggregationFactory(indicator=indicator)
    only = DisaggregationCategoryFactory(disaggregation=disaggregation)
    value = services.period_value_record(period=period, actor=staff_user, value=Decimal("5"), source=ValueSource.STAFF)
    with pytest.raises(IntegrityError, match=r"adds up to 4\.0000, not to its value 5\.0000"), transaction.atomic():
        PeriodValueBreakdown.objects.create(period_value=value, category=only, amount=Decimal("4"))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_returned_corrected_and_approved_value_counts(reporting, coordinator_user, staff_user):
    indicator, period = reporting
    submitted = services.period_value_submit(
        period=period, actor=coordinator_user, value=Decimal("12"), comment="first count"
    )
    assert period_progress(indicator)[0].actual is None

    with pytest.raises(ValidationError) as refused:
        services.period_value_return(period_value=submitted, actor=staff_user, reason="  ")
    assert refused.value.message_dict == {"reason": ["Say why the value goes back, so the partner can correct it."]}
    services.period_value_return(period_value=submitted, actor=staff_user, reason="Count the two closed stations out")
    with pytest.raises(ValidationError):
        services.period_value_approve(period_value=submitted, actor=staff_user)

    corrected = services.period_value_submit(period=period, actor=coordinator_user, value=Decimal("10"))
    assert corrected.pk == submitted.pk
    approved = services.period_value_approve(period_value=corrected, actor=staff_user)

    assert approved.status == ValueStatus.APPROVED and approved.reviewed_by == staff_user
    assert period_progress(indicator)[0].actual == Decimal("10")
    steps = list(
        PeriodValueStatusChange.objects.filter(period_value=approved).values_list(
            "from_status", "to_status", "actor", "note"
        )
    )
    assert steps == [
        ("", "submitted", coordinator_user.pk, "first count"),
        ("submitted", "returned", staff_user.pk, "Count the two closed stations out"),
        ("returned", "submitted", coordinator_user.pk, ""),
        ("submitted", "approved", staff_user.pk, ""),
    ]
    assert approved.history.count() == 4


def test_only_staff_review(reporting, coordinator_user):
    _, period = reporting
    value = services.period_value_submit(period=period, actor=coordinator_user, value=Decimal("3"))
    with pytest.raises(PermissionDenied):
        services.period_value_approve(period_value=value, actor=coordinator_user)
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_locked_period_refuses_values(reporting, coordinator_user, staff_user):
    _, period = reporting
    services.period_lock(period=period, actor=staff_user)
    expected = {"period": ["The period 2024-04-01 – 2024-06-30 is locked; it accepts no new values."]}
    for submit in (
        lambda: services.period_value_submit(period=period, actor=coordinator_user, value=Decimal("1")),
        lambda: services.period_value_record(
            period=period, actor=staff_user, value=Decimal("1"), source=ValueSource.SURVEY
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            submit()
        assert refused.value.message_dict == expected
    assert not PeriodValue.objects.exists()


def test_other_organizations_indicator_is_refused(reporting, other_org):
    _, period = reporting
    outsider = UserFactory(role=PARTNER_COORDINATOR, username="outsider", organization=other_org)
    with pytest.raises(PermissionDenied):
        services.period_value_submit(period=period, actor=outsider, value=Decimal("1"))
    assert not IndicatorPeriod.objects.restrict(outsider).exists()


def test_roll_up_across_two_projects(staff_user):
    program_indicator = IndicatorFactory(project=None, program=ProjectFactory().program, aggregation="sum")
    program_period = IndicatorPeriodFactory(
        indicator=program_indicator, start=date(2024, 4, 1), end=date(2025, 3, 31), target=Decimal("100")
    )
    recorded = []
    for amounts in ([Decimal("7"), Decimal("8")], [Decimal("20")]):
        child = IndicatorFactory(project=ProjectFactory(program=program_indicator.program), parent=program_indicator)
        for (start, end), amount in zip(QUARTERS, amounts, strict=False):
            period = IndicatorPeriodFactory(indicator=child, start=start, end=end)
            services.period_value_record(period=period, actor=staff_user, value=amount, source=ValueSource.STAFF)
            recorded.append(amount)

    [rolled] = rolled_up_progress(program_indicator)
    assert rolled.period == program_period and rolled.target == program_period.target
    assert rolled.actual == sum(recorded)
    assert rolled.percent == sum(recorded) / program_period.target * 100


def test_parent_must_be_of_the_same_program(staff_user):
    elsewhere = IndicatorFactory(project=None, program=ProjectFactory().program)
    project = ProjectFactory()
    with pytest.raises(ValidationError) as refused:
        services.indicator_create(
            actor=staff_user,
            project=project,
            parent=elsewhere,
            name="Stations",
            baseline_value=Decimal("0"),
            baseline_date=date(2024, 4, 1),
            target_value=Decimal("5"),
            target_date=date(2025, 3, 31),
        )
    assert list(refused.value.message_dict) == ["parent"]


class TestEvidence:
    PDF = b"%PDF-1.7\n%evidence\n"

    @pytest.fixture(autouse=True)
    def evidence_root(self, settings, tmp_path):
        settings.EVIDENCE_ROOT = tmp_path
        settings.EVIDENCE_MAX_BYTES = 64

    def test_accepted_file_is_stored_with_its_sniffed_type(self, reporting, coordinator_user, settings):
        _, period = reporting
        upload = SimpleUploadedFile("count.pdf", self.PDF, content_type="image/png")
        value = services.period_value_submit(period=period, actor=coordinator_user, value=1, evidence=[upload])
        [stored] = value.evidence.all()
        assert (stored.content_type, stored.size, stored.name) == ("application/pdf", len(self.PDF), "count.pdf")
        assert str(settings.EVIDENCE_ROOT) in stored.file.path

    @pytest.mark.parametrize(
        ("content", "code"),
        [(b"%PDF-" + b"x" * 64, "too_large"), (b"MZ\x90\x00 not a document", "file_type")],
    )
    def test_too_big_or_wrong_type_is_refused(self, reporting, coordinator_user, content, code):
        _, period = reporting
        upload = SimpleUploadedFile("count.pdf", content, content_type="application/pdf")
        with pytest.raises(ValidationError) as refused:
            services.period_value_submit(period=period, actor=coordinator_user, value=1, evidence=[upload])
        assert refused.value.error_dict["evidence"][0].code == code
        assert not PeriodValue.objects.exists()
