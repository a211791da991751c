"""Writes for official travel: validated against the model's rules, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cooperation.services import Actor, record_create, record_update

from ..models import OfficialTravel


@transaction.atomic
def official_travel_create(*, actor: Actor, **data: Any) -> OfficialTravel:
    return record_create(OfficialTravel, actor=actor, **data)


@transaction.atomic
def official_travel_update(*, official_travel: OfficialTravel, actor: Actor, **data: Any) -> OfficialTravel:
    return record_update(official_travel, actor=actor, **data)
