from __future__ import annotations

from functools import partial

from django.db import transaction

from cooperation.models import ReportJob


def report_pack_request(*, user, first: int, last: int, fiscal: bool, file_format: str) -> ReportJob:
    """Records the request and hands it to a worker once the row is committed."""
    from .tasks import build_report_pack

    span = f"FY{first}-FY{last}" if fiscal else f"{first}-{last}"
    job = ReportJob.objects.create(
        requested_by=user,
        parameters={"first": first, "last": last, "fiscal": fiscal, "format": file_format},
        filename=f"statistics-{span}.{file_format}",
    )
    transaction.on_commit(partial(build_report_pack.delay, job.pk))
    return job
