import logging
import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

app = Celery("cooperation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A package that is not an app but holds tasks of its own.
app.autodiscover_tasks(["cooperation.notifications"])


class DrainOutboxOnConnect(bootsteps.StartStopStep):
    """Each time the worker (re)connects to the broker, send the work recorded meanwhile.

    Consumer steps start again after every reconnection, so this is the moment the
    broker is known to be back. Only a message is published here; a worker drains.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer):
        try:
            consumer.app.send_task("cooperation.tasks.drain_outbox", ignore_result=True)
        except Exception as exc:  # beat drains the outbox as well; never stop the worker for this
            logging.getLogger(__name__).warning("Could not ask for an outbox drain: %s", exc)


app.steps["consumer"].add(DrainOutboxOnConnect)


class Heartbeat(bootsteps.StartStopStep):
    """Writes this worker's heartbeat (cooperation.heartbeat) while it consumes, from its
    event loop's timer, and removes it when the worker shuts down."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, consumer, **kwargs):
        self.timer_entry = None
        super().__init__(consumer, **kwargs)

    def start(self, consumer):
        from django.conf import settings

        self.beat(consumer)
        self.timer_entry = consumer.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, self.beat, (consumer,))

    def beat(self, consumer):
        from cooperation import heartbeat

        try:
            heartbeat.record(consumer.hostname)
        except Exception as exc:  # Redis away: the entry goes stale, /healthz pings instead
            logging.getLogger(__name__).warning("Could not write the worker heartbeat: %s", exc)

    def stop(self, consumer):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    def shutdown(self, consumer):
        from cooperation import heartbeat

        self.stop(consumer)
        try:
            heartbeat.forget(consumer.hostname)
        except Exception as exc:  # the entry goes stale by itself
            logging.getLogger(__name__).warning("Could not remove the worker heartbeat: %s", exc)


app.steps["consumer"].add(Heartbeat)
