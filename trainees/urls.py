from django.urls import path

from .views import certificate

app_name = "trainees"

urlpatterns = [
    path("certificates/<int:pk>/", certificate, name="certificate"),
]
