"""The OpenAPI schema, built once per version of the code and language, kept as a file.

Building it walks every viewset and serializer: several seconds, up to 13 on a loaded
machine, which the first reader of the docs used to wait for after every start. It
follows from the code and the translations alone (it is public: the same for every
caller), so it is written to API_SCHEMA_DIR under a digest of both; every process (each
server worker, each restart) reads it from there, and `manage.py build_api_schema` (run by
`make run` before the server starts) writes it before anyone asks. The schema of each part
of the system (schema_parts), which the docs show, is kept the same way.
"""

import hashlib
import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from .schema_parts import api_parts, part_schema

logger = logging.getLogger(__name__)

# The schema of each language and part (None: whole), as read or built by this process.
_loaded: dict[tuple[str, str | None], dict] = {}


def schema_language() -> str:
    """The active language as one of the site's languages: an unknown `?lang=` gets the
    default's schema rather than a file of its own."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


@cache
def schema_fingerprint() -> str:
    """The code's fingerprint with the compiled catalogs the schema's texts come from."""
    from cooperation.devstack import source_fingerprint

    digest = hashlib.sha256(source_fingerprint().encode())
    for locale_dir in map(Path, settings.LOCALE_PATHS):
        for catalog in sorted(locale_dir.glob("*/LC_MESSAGES/django.mo")):
            digest.update(catalog.read_bytes())
    return digest.hexdigest()[:32]


def schema_path(language: str, part: str | None = None) -> Path:
    suffix = f"{language}-{part}" if part else language
    return Path(settings.API_SCHEMA_DIR) / f"openapi-{schema_fingerprint()}-{suffix}.json"


def api_schema(language: str, part: str | None = None) -> dict:
    """The schema in `language`, whole or of one part (by its app's label), from this
    process, else its file, else built (and written)."""
    schema = _loaded.get((language, part))
    if schema is None:
        try:
            schema = json.loads(schema_path(language, part).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            schema = write_schema(language, part)
        _loaded[language, part] = schema
    return schema


def schema_parts(language: str) -> list[AppConfig]:
    """The parts of the system the schema in `language` describes."""
    return api_parts(api_schema(language))


def write_schema(language: str, part: str | None = None) -> dict:
    """Builds the schema in `language` (a part is cut from the whole one) and writes its
    file, replacing the older code's."""
    if part is None:
        with translation.override(language):
            schema = SchemaGenerator().get_schema(request=None, public=True)
    else:
        schema = part_schema(api_schema(language), apps.get_app_config(part))
    path = schema_path(language, part)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a worker reading at the same moment sees all or nothing.
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as handle:
            json.dump(schema, handle, separators=(",", ":"))
        # A temporary file is private to its writer; the schema is public, and the image's
        # server runs as another user than the one that built it.
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
        # The same schema of older code: its name differs in the fingerprint only.
        for stale in path.parent.glob(path.name.replace(schema_fingerprint(), "*", 1)):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as error:
        # A read-only disk costs each process its own build; it never fails the request.
        logger.warning("The API schema could not be kept in %s: %s", path.parent, error)
    return schema
