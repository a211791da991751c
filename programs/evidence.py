"""Evidence files behind reported values: how big they may be and what they are, read
from their first bytes (never from the name or the type the browser claims)."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cooperation.validation import refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
# An Office document is a zip archive; the part it cannot do without tells which one.
OFFICE_PARTS = (("xl/workbook.xml", XLSX), ("word/document.xml", DOCX))


def sniffed_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(upload).namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        return next((content_type for part, content_type in OFFICE_PARTS if part in names), None)
    return None


def checked_evidence(upload: UploadedFile) -> str:
    """The file's type when it is small enough and of an accepted type; refused otherwise."""
    if upload.size is not None and upload.size > settings.EVIDENCE_MAX_BYTES:
        raise refusal(
            "evidence",
            _("%(name)s is larger than %(limit)s.")
            % {"name": upload.name, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
            "too_large",
        )
    content_type = sniffed_type(upload)
    if content_type not in settings.EVIDENCE_CONTENT_TYPES:
        raise refusal(
            "evidence",
            _("%(name)s is not a PDF, PNG, JPEG, XLSX or DOCX file.") % {"name": upload.name},
            "file_type",
        )
    return content_type
