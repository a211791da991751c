"""The one base viewset every resource declares itself on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cooperation.roles import sees_everything

from . import idempotency
from .history import HistoryEntrySerializer, history_page
from .permissions import action_for
from .serializers import ANSWER_ROOT

HISTORY_LIMIT = 200


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it; read it again and reapply your change."
    default_code = "precondition_failed"


def etag_of(instance) -> str | None:
    """A version tag that changes with every save of the record."""
    updated_at = getattr(instance, "updated_at", None)
    if updated_at is None:
        return None
    return f'W/"{instance._meta.label_lower}-{instance.pk}-{updated_at.timestamp():.6f}"'


class CooperationViewSet(viewsets.ModelViewSet):
    """What every resource shares.

    - rows pass through `restrict(user, action)`: a record outside the user's scope is a
      404, so its existence does not leak;
    - a stable order is always applied (the pagination refuses unordered lists);
    - `?brief=1` answers with the serializer's brief fields only;
    - a delete refused by a PROTECT reference is a 409 (see api.errors);
    - after a write the record is read again through the restricted queryset, so the
      answer carries the same annotations and prefetches as a read;
    - detail answers carry an `ETag`; a write sent with `If-Match` is refused with 412
      when the record changed in between (checked under a row lock);
    - a POST sent with `Idempotency-Key` is handled once (see api.idempotency);
    - `GET …/{id}/history/` lists who changed what, when (staff only);
    - writes with rules go through services: override `perform_create` /
      `perform_update` to call one, and return the saved instance.
    """

    ordering: tuple[str, ...] = ("pk",)
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    _idempotency_record = None

    # --- reading -------------------------------------------------------------------------

    def restricted_queryset(self, action: str):
        queryset = self.queryset.all().restrict(self.request.user, action)  # type: ignore[union-attr, arg-type]  # every resource declares a restricted queryset
        if not queryset.ordered:
            queryset = queryset.order_by(*self.ordering)
        return queryset

    def get_queryset(self):
        return self.restricted_queryset(action_for(self.request))

    def get_serializer(self, *args, **kwargs):
        if self.request is not None and self.request.query_params.get("brief") in ("1", "true"):
            kwargs["brief"] = True
        serializer = super().get_serializer(*args, **kwargs)
        serializer.context[ANSWER_ROOT] = serializer
        return serializer

    def _reloaded(self, instance):
        return self.restricted_queryset("view").get(pk=instance.pk)

    def _with_etag(self, response, instance):
        tag = etag_of(instance)
        if tag:
            response["ETag"] = tag
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self._with_etag(Response(self.get_serializer(instance).data), instance)

    # --- writing -------------------------------------------------------------------------

    def _object_for_write(self):
        """The target of a write; with If-Match, locked and checked against its version."""
        instance = self.get_object()
        expected = self.request.headers.get("If-Match")
        if not expected:
            return instance
        # Lock the bare row (list annotations may not be lockable), then read it again:
        # from here until commit no other write can slip in between check and save.
        current = type(instance).objects.select_for_update().filter(pk=instance.pk).first()
        if current is None:
            raise exceptions.NotFound()
        if expected.strip() != "*" and etag_of(current) not in {tag.strip() for tag in expected.split(",")}:
            raise PreconditionFailed()
        return self.get_object()

    def perform_create(self, serializer):
        return serializer.save()

    def perform_update(self, serializer):
        return serializer.save()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_create(serializer)
        reloaded = self._reloaded(instance)
        data = self.get_serializer(reloaded).data
        response = Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))
        return self._with_etag(response, reloaded)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            serializer = self.get_serializer(self._object_for_write(), data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = self.perform_update(serializer)
        reloaded = self._reloaded(instance)
        return self._with_etag(Response(self.get_serializer(reloaded).data), reloaded)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self.perform_destroy(self._object_for_write())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_destroy(self, instance):
        instance.delete()

    # --- retries -------------------------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency_record = idempotency.claim(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            record = exc.record
            return Response(record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_record is not None and not response.has_header("Idempotent-Replayed"):
            idempotency.settle(self._idempotency_record, response)
            self._idempotency_record = None
        return response

    # --- history -------------------------------------------------------------------------

    @extend_schema(
        summary="Who changed this record, what and when (staff only)",
        responses={200: HistoryEntrySerializer(many=True), 403: OpenApiResponse(description="Not staff")},
        parameters=[OpenApiParameter("brief", OpenApiTypes.BOOL, exclude=True)],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, *args, **kwargs):
        if not sees_everything(request.user, "change"):
            raise exceptions.PermissionDenied(code="staff_only")
        instance = self.get_object()
        if not hasattr(instance, "history"):
            raise exceptions.NotFound()
        entries = list(
            instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
                : HISTORY_LIMIT + 1
            ]
        )
        context = {**self.get_serializer_context(), "previous": history_page(entries)}
        return Response(HistoryEntrySerializer(entries[:HISTORY_LIMIT], many=True, context=context).data)


class ServiceWritesMixin:
    """Creates and updates go through the app's services, credited to the request's user.

    The services validate the record they save (model validation and constraints, turned
    into field-level 400s by the error handler), so the serializer does not validate it first.
    """

    services_validate = True

    # Each subclass names its service functions and the services' keyword for the instance.
    create_service: ClassVar[Callable[..., Any]]
    update_service: ClassVar[Callable[..., Any]]
    instance_argument: ClassVar[str]

    def perform_create(self, serializer):
        return type(self).create_service(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        return type(self).update_service(
            **{self.instance_argument: serializer.instance}, actor=self.request.user, **serializer.validated_data
        )
