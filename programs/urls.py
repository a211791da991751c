"""The public pages, mounted at /public/ without login."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.portfolio, name="public-portfolio"),
    path("programs/<str:code>/", views.program_page, name="public-program"),
]
