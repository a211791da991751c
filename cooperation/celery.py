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
