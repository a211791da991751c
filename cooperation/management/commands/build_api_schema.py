from django.conf import settings
from django.core.management.base import BaseCommand

from cooperation.api.schema_files import schema_parts, schema_path, write_schema


class Command(BaseCommand):
    help = (
        "Build the API schema in each language, whole and of each part of the system (the docs "
        "show one part at a time), and keep it for the server's processes; a schema already "
        "built from the same code is kept."
    )

    def handle(self, *args, **options):
        for language, _name in settings.LANGUAGES:
            self._build(language)
            for app in schema_parts(language):
                self._build(language, app.label)

    def _build(self, language: str, part: str | None = None) -> None:
        which = f"{language}, {part}" if part else language
        if schema_path(language, part).exists():
            self.stdout.write(f"API schema ({which}) is up to date.")
            return
        write_schema(language, part)
        self.stdout.write(self.style.SUCCESS(f"API schema ({which}) built: {schema_path(language, part)}"))
