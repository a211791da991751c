from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict, key):
    """`row.not_ready|lookup:code`: a dict entry by a key held in a variable."""
    return mapping.get(key, "")
