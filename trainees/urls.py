from django.urls import path

from .views import certificate, survey

app_name = "trainees"

urlpatterns = [
    path("certificates/<int:pk>/", certificate, name="certificate"),
    path("surveys/<str:token>/", survey, name="survey"),
]
