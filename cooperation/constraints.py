"""Check constraints validated together: one query a save, not one query each.

Django checks each CheckConstraint of a model being validated with a query of its own,
wrapped in a savepoint inside a transaction: a deployment's eleven rules cost some thirty
round trips on every save. Here every rule of a model is one column of a single SELECT;
the unique and exclusion constraints are validated as Django validates them.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def _failing_checks(model_class, instance, checks, exclude, using) -> list[models.CheckConstraint]:
    against = instance._get_field_expression_map(meta=model_class._meta, exclude=exclude)
    query = Query(None)
    for name, value in against.items():
        query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
    evaluated = []
    for index, constraint in enumerate(checks):
        # As in Django's own check, a rule is held unless it is false (NULL passes).
        condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
        try:
            query.add_annotation(condition, f"check_{index}")
        except FieldError:
            continue  # the rule reads a field left out of this validation: skipped, as Django does
        evaluated.append(constraint)
    if not evaluated:
        return []
    connection = connections[using]
    try:
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        # One rule the database cannot evaluate here must not hide the others: check each.
        failing = []
        for constraint in evaluated:
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except ValidationError:
                failing.append(constraint)
        return failing
    return [constraint for constraint, holds in zip(evaluated, row, strict=True) if not holds]


def validate_constraints_together(instance, exclude=None) -> None:
    """Model.validate_constraints, with the check constraints of each model in one query."""
    using = router.db_for_write(type(instance), instance=instance)
    errors: dict = {}
    for model_class, constraints in instance.get_constraints():
        checks = [constraint for constraint in constraints if isinstance(constraint, models.CheckConstraint)]
        for constraint in _failing_checks(model_class, instance, checks, exclude, using) if checks else []:
            error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
            errors = error.update_error_dict(errors)
        for constraint in constraints:
            if isinstance(constraint, models.CheckConstraint):
                continue
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
