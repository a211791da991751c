"""This app's API resources: (prefix, viewset, basename); mounted by cooperation/api/urls.py."""

routes = []
urlpatterns = []
