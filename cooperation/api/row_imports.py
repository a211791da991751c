"""The API side of importing history from a file: a dry run, the import, and the templates.

A resource that takes a kind of history file mixes in `HistoryImportMixin` and names its
`RowImport` (`row_import`). It then answers, for agency staff only:

- `POST <resource>/history-import/` (multipart: `file`, `dry_run`): every row checked; a
  dry run answers 200 with what each row would create, match or have refused; the import
  answers 201 with the same report and the ids written, or 400 with every problem
  (`error.rows`, as the nomination import reports them) and nothing written;
- `GET <resource>/history-template/?file_format=csv|xlsx`: the columns and an example row.
"""

from __future__ import annotations

from typing import ClassVar

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ..rowfiles import FileError, RowImport, run_import, template_csv, template_xlsx
from .errors import error_body
from .permissions import StaffOnly
from .schema import ErrorBodySerializer, ErrorSerializer

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HistoryUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV in UTF-8 or an XLSX workbook (its sheet named after the kind of file, else its first); "
        "the first row is exactly the template's header."
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check and report every row; write nothing.")


class TemplateQuerySerializer(serializers.Serializer):
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the file; the header is row 1.")
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class RowOutcomeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    record = serializers.CharField(help_text="What the row makes: expert, deployment, mission, course, trainee…")
    action = serializers.ChoiceField(choices=["create", "match"])
    id = serializers.IntegerField(allow_null=True, help_text="The record's id; null for one a dry run would create.")


class ImportReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    dry_run = serializers.BooleanField()
    imported = serializers.BooleanField()
    rows = serializers.IntegerField()
    refused_rows = serializers.IntegerField()
    counts = serializers.JSONField(help_text="Per record: how many rows create one and how many match one.")
    outcomes = RowOutcomeSerializer(many=True)
    errors = RowProblemSerializer(many=True)  # type: ignore[assignment]  # a declared field, moved off the class by DRF


class RowsErrorBodySerializer(ErrorBodySerializer):
    rows = RowProblemSerializer(many=True, required=False)


class RowsErrorSerializer(serializers.Serializer):
    error = RowsErrorBodySerializer()


def rows_refused(errors) -> Response:
    """The 400 answer of a file some of whose rows are refused (nothing was written)."""
    body = error_body(
        400,
        "invalid_rows",
        _("%(count)d problems in %(rows)d rows; nothing was imported.")
        % {"count": len(errors), "rows": len({error.row for error in errors})},
    )
    body["error"]["rows"] = [error.as_dict() for error in errors]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def file_refused(exc: FileError) -> Response:
    return Response(
        error_body(exc.status, exc.code, exc.message, {"file": [{"code": exc.code, "message": exc.message}]}),
        status=exc.status,
    )


class HistoryImportMixin:
    """Adds the history import and its templates to a resource (agency staff only)."""

    row_import: ClassVar[RowImport]

    @extend_schema(
        summary="Import past records from a file, all or nothing, or check it first (staff only)",
        description="See docs/api.md, “Importing history”, for the columns and the matching rules.",
        request={"multipart/form-data": HistoryUploadSerializer},
        responses={
            200: OpenApiResponse(ImportReportSerializer, description="The dry run's report; nothing was written."),
            201: OpenApiResponse(ImportReportSerializer, description="Every row was written."),
            400: OpenApiResponse(RowsErrorSerializer, description="Some rows are refused; nothing was written."),
            413: OpenApiResponse(ErrorSerializer, description="The file is larger than 5 MB."),
            415: OpenApiResponse(ErrorSerializer, description="The body is not a readable multipart form."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="history-import",
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[StaffOnly],
        filter_backends=[],
        pagination_class=None,
    )
    def history_import(self, request, *args, **kwargs):
        form = HistoryUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        dry_run = form.validated_data["dry_run"]
        try:
            report = run_import(
                self.row_import, content=upload.read(), name=upload.name or "", dry_run=dry_run, actor=request.user
            )
        except FileError as exc:
            return file_refused(exc)
        if report.errors and not dry_run:
            return rows_refused(report.errors)
        return Response(report.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)

    @extend_schema(
        summary="The file's template: its columns and a filled example row (staff only)",
        parameters=[TemplateQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            400: OpenApiResponse(ErrorSerializer, description="An unknown `file_format`."),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="history-template",
        permission_classes=[StaffOnly],
        filter_backends=[],
        pagination_class=None,
    )
    def history_template(self, request, *args, **kwargs):
        # A plain dict: from a query dict, DRF would read an empty value as the default.
        query = TemplateQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        kind = self.row_import.kind
        if query.validated_data["file_format"] == "xlsx":
            response = HttpResponse(template_xlsx(self.row_import.columns, sheet=kind), content_type=XLSX_TYPE)
            extension = "xlsx"
        else:
            response = HttpResponse(template_csv(self.row_import.columns), content_type="text/csv; charset=utf-8")
            extension = "csv"
        response["Content-Disposition"] = f'attachment; filename="{kind}-history-template.{extension}"'
        return response
