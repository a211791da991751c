from django.urls import path

from .views import EvacuationListView, EvacuationWorkbookView, HeadcountView

app_name = "duty"

urlpatterns = [
    path("", HeadcountView.as_view(), name="headcount"),
    path("evacuation/<str:country>/", EvacuationListView.as_view(), name="evacuation"),
    path("evacuation/<str:country>/xlsx/", EvacuationWorkbookView.as_view(), name="evacuation-xlsx"),
]
