"""Report packs built by a worker, with their progress written back for the page to poll."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from cooperation.models import ReportJob

from .packs import multi_year_tables, render, years_of


# The name it had before the app moved out of `cooperation`, so queued jobs and outbox rows still run.
@shared_task(
    name="cooperation.reports.tasks.build_report_pack",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def build_report_pack(job_id: int) -> None:
    # A job already finished (a redelivered message) is left alone: running twice builds once.
    job = ReportJob.objects.filter(pk=job_id).exclude(status=ReportJob.Status.DONE).first()
    if job is None:
        return
    ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.RUNNING, progress=0)
    parameters = job.parameters
    periods = years_of(parameters["first"], parameters["last"], fiscal=parameters["fiscal"])

    def progress(done: int) -> None:
        # Leave the last percent for writing the file.
        ReportJob.objects.filter(pk=job_id).update(progress=min(99, done * 100 // len(periods)))

    try:
        tables = multi_year_tables(periods, fiscal=parameters["fiscal"], progress=progress)
        content = render(tables, parameters["format"], periods=periods)
    except Exception as error:
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.DONE, progress=100, content=content, finished_at=timezone.now()
        )
