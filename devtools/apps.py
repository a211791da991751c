from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    # No models, no endpoints, no pages: only management commands, so there is no
    # verbose name a user could ever see.
    name = "devtools"
