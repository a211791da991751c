from __future__ import annotations

from typing import TYPE_CHECKING

from cooperation import outbox
from cooperation.models import ReportJob

from .tasks import build_report_pack

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def report_pack_request(*, user: User, first: int, last: int, fiscal: bool, file_format: str) -> ReportJob:
    """Records the request; the outbox hands it to a worker once committed, even after a broker outage."""
    span = f"FY{first}-FY{last}" if fiscal else f"{first}-{last}"
    job = ReportJob.objects.create(
        requested_by=user,
        parameters={"first": first, "last": last, "fiscal": fiscal, "format": file_format},
        filename=f"statistics-{span}.{file_format}",
    )
    outbox.enqueue(build_report_pack, job.pk)
    return job
