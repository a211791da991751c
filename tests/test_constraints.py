"""Check constraints are validated together, in one query, with Django's messages."""

from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trainees.tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db


def test_every_broken_rule_is_reported_from_one_query():
    delegation = DelegationFactory.build(start_date=date(2012, 4, 3), end_date=date(2012, 4, 1), visitors=0)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as raised:
        delegation.validate_constraints()
    codes = {error.code for error in raised.value.error_dict[NON_FIELD_ERRORS]}
    assert {"date_order", "visitors"} <= codes
    checks = [query for query in queries if "COALESCE" in query["sql"]]
    assert len(checks) == 1


def test_a_record_keeping_the_rules_passes():
    DelegationFactory.build(start_date=date(2012, 4, 1), end_date=date(2012, 4, 3), visitors=5).validate_constraints()


def test_a_rule_on_an_excluded_field_is_skipped_as_django_skips_it():
    delegation = DelegationFactory.build(start_date=date(2012, 4, 3), end_date=date(2012, 4, 1), visitors=5)
    delegation.validate_constraints(exclude={"end_date"})
