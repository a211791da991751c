"""The public pages, mounted at /public/ without login."""

from django.urls import path

from . import public

urlpatterns = [
    path("", public.portfolio, name="public-portfolio"),
    path("programs/<str:code>/", public.program_page, name="public-program"),
]
