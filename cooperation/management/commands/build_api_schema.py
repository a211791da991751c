from django.conf import settings
from django.core.management.base import BaseCommand

from cooperation.api.schema_files import schema_path, write_schema


class Command(BaseCommand):
    help = (
        "Build the API schema in each language and keep it for the server's processes; "
        "a schema already built from the same code is kept."
    )

    def handle(self, *args, **options):
        for language, _name in settings.LANGUAGES:
            if schema_path(language).exists():
                self.stdout.write(f"API schema ({language}) is up to date.")
                continue
            write_schema(language)
            self.stdout.write(self.style.SUCCESS(f"API schema ({language}) built: {schema_path(language)}"))
