"""The schema of one part of the system: one app's operations and what they refer to.

The docs show one part at a time. Swagger UI parses, resolves and lays out the schema it
is given in the browser, which took seconds for the whole one; a part is a fraction of it.
A part is cut from the whole schema rather than generated on its own, so its models keep
the names they have in the whole one (and in the clients generated from it).
"""

from django.apps import AppConfig, apps
from django.utils import translation

from .schema import PART_SEPARATOR

COMPONENT_REF = "#/components/"


def tag_prefix(app: AppConfig) -> str:
    """How the tags of an app's resources begin (CooperationAutoSchema.get_tags)."""
    with translation.override("en"):
        return f"{app.verbose_name}{PART_SEPARATOR}"


def api_parts(schema: dict) -> list[AppConfig]:
    """The apps with operations in `schema`, in the order of INSTALLED_APPS."""
    tags = {
        tag for item in schema["paths"].values() for operation in item.values() for tag in operation.get("tags", ())
    }
    return [app for app in apps.get_app_configs() if any(tag.startswith(tag_prefix(app)) for tag in tags)]


def part_schema(schema: dict, app: AppConfig) -> dict:
    """The operations of `app` in `schema`, with every component they refer to."""
    prefix = tag_prefix(app)
    paths = {}
    for path, item in schema["paths"].items():
        operations = {
            method: operation
            for method, operation in item.items()
            if any(tag.startswith(prefix) for tag in operation.get("tags", ()))
        }
        if operations:
            paths[path] = operations
    components = schema.get("components", {})
    referred = _referred_components(paths, components)
    kept = {
        section: {name: value for name, value in entries.items() if (section, name) in referred}
        for section, entries in components.items()
    }
    # Security schemes are named by each operation's `security`, never by a reference.
    kept["securitySchemes"] = components.get("securitySchemes", {})
    with translation.override("en"):
        title = f"{schema['info']['title']}: {app.verbose_name}"
    return {
        **schema,
        "info": {**schema["info"], "title": title},
        "paths": paths,
        "components": {section: entries for section, entries in kept.items() if entries},
    }


def _referred_components(root, components: dict) -> set[tuple[str, str]]:
    """The (section, name) of every component `root` refers to, directly or through others."""
    found: set[tuple[str, str]] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith(COMPONENT_REF):
                section, name = reference.removeprefix(COMPONENT_REF).split("/", 1)
                if (section, name) not in found:
                    found.add((section, name))
                    pending.append(components[section][name])
            pending.extend(node.values())
    return found
