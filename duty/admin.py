from django.contrib import admin

from cooperation.admin import RestrictedAdmin, ServiceWritesAdmin

from .models import OfficialTravel
from .services.travel import official_travel_create, official_travel_update


@admin.register(OfficialTravel)
class OfficialTravelAdmin(ServiceWritesAdmin, RestrictedAdmin):
    create_service = staticmethod(official_travel_create)
    update_service = staticmethod(official_travel_update)
    instance_argument = "official_travel"
    list_display = ("traveller", "purpose", "country", "city", "departure_on", "return_on", "status")
    list_filter = ("status", "purpose", "country")
    search_fields = ("traveller__family_name", "traveller__given_name", "traveller__personnel_number", "city")
    date_hierarchy = "departure_on"
    autocomplete_fields = ("traveller",)
    raw_id_fields = ("course_visit",)
    list_select_related = ("traveller",)
    fields = (
        "traveller",
        "purpose",
        ("country", "city"),
        ("latitude", "longitude"),
        ("departure_on", "return_on"),
        "status",
        "course_visit",
        "notes",
    )


from . import admin_incidents  # noqa: E402, F401  the incident screens register themselves
