"""List filters for lists that may run long: the same filters, drawn as one dropdown.

`admin/dropdown_filter.html` keeps the admin's links for a handful of choices and turns a
longer list (the ~250 countries, every organization or course) into a <select>, so a
changelist's sidebar stays a screen high. Use the field filters as `("country",
ChoicesDropdownFilter)`; give an own SimpleListFilter `template = DROPDOWN_FILTER_TEMPLATE`.
"""

from django.contrib import admin

DROPDOWN_FILTER_TEMPLATE = "admin/dropdown_filter.html"


class ChoicesDropdownFilter(admin.ChoicesFieldListFilter):
    """A field with choices, such as a country."""

    template = DROPDOWN_FILTER_TEMPLATE


class RelatedDropdownFilter(admin.RelatedFieldListFilter):
    """A foreign key or many-to-many field: every related record."""

    template = DROPDOWN_FILTER_TEMPLATE


class RelatedOnlyDropdownFilter(admin.RelatedOnlyFieldListFilter):
    """A foreign key or many-to-many field: the related records that occur in the list."""

    template = DROPDOWN_FILTER_TEMPLATE


class AllValuesDropdownFilter(admin.AllValuesFieldListFilter):
    """A plain field: the values that occur in the list, such as a fiscal year."""

    template = DROPDOWN_FILTER_TEMPLATE
