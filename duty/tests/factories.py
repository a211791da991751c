from datetime import date, timedelta

import factory
from django.utils import timezone

from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from duty.models import OfficialTravel


def departed_deployment(*, start: date, end: date, returned_on: date | None = None, **kwargs):
    """A deployment that left on `start`, planned to `end`; returned on `returned_on` if given."""
    kwargs.setdefault("planned_start", start)
    return DeploymentFactory(
        status="returned" if returned_on else "deployed",
        actual_start=start,
        actual_end=returned_on,
        planned_end=end,
        **kwargs,
    )


class OfficialTravelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficialTravel

    traveller = factory.SubFactory(ExpertFactory)
    purpose = OfficialTravel.Purpose.CONFERENCE
    country = "PH"
    city = "Manila"
    departure_on = factory.LazyFunction(timezone.localdate)
    return_on = factory.LazyAttribute(lambda travel: travel.departure_on + timedelta(days=5))
    status = OfficialTravel.Status.DEPARTED
