from django.core.management.base import BaseCommand

from cooperation.notifications.schedule import periodic_tasks_install


class Command(BaseCommand):
    help = "Create the periodic tasks (daily reminders, outbox drain) that are missing; keep edited ones."

    def handle(self, *args, **options):
        created = periodic_tasks_install()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Periodic tasks created: {', '.join(created)}."))
        else:
            self.stdout.write("Periodic tasks are in place.")
