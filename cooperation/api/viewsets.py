"""The one base viewset every resource declares itself on."""

from __future__ import annotations

from django.db import transaction
from rest_framework import viewsets
from rest_framework.response import Response

from .permissions import action_for


class CooperationViewSet(viewsets.ModelViewSet):
    """What every resource shares.

    - rows pass through `restrict(user, action)`: a record outside the user's scope is a
      404, so its existence does not leak;
    - a stable order is always applied (the pagination refuses unordered lists);
    - `?brief=1` answers with the serializer's brief fields only;
    - a delete refused by a PROTECT reference is a 409 (see api.errors);
    - after a write the record is read again through `get_queryset()`, so the answer
      carries the same annotations and prefetches as a read;
    - writes with rules go through services: override `perform_create` /
      `perform_update` to call one, and return the saved instance.
    """

    ordering = ("pk",)
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def restricted_queryset(self, action: str):
        queryset = self.queryset.all().restrict(self.request.user, action)
        if not queryset.ordered:
            queryset = queryset.order_by(*self.ordering)
        return queryset

    def get_queryset(self):
        return self.restricted_queryset(action_for(self.request))

    def get_serializer(self, *args, **kwargs):
        if self.request is not None and self.request.query_params.get("brief") in ("1", "true"):
            kwargs["brief"] = True
        return super().get_serializer(*args, **kwargs)

    def _reloaded(self, instance):
        return self.restricted_queryset("view").get(pk=instance.pk)

    def perform_create(self, serializer):
        return serializer.save()

    def perform_update(self, serializer):
        return serializer.save()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_create(serializer)
        data = self.get_serializer(self._reloaded(instance)).data
        return Response(data, status=201, headers=self.get_success_headers(data))

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_update(serializer)
        return Response(self.get_serializer(self._reloaded(instance)).data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()
