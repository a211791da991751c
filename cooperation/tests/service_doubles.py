"""Stand-ins for the services an admin names, to show that its writes pass through them."""

from django.core.exceptions import ValidationError


def recorded(service, called: list[str]):
    """`service`, noting its name in `called` each time it is called (for an admin's attribute)."""

    def call(**kwargs):
        called.append(service.__name__)
        return service(**kwargs)

    return staticmethod(call)


def refusing(service, refusal: ValidationError):
    """`service` that writes, then refuses with `refusal`: nothing of its write may remain."""

    def call(**kwargs):
        service(**kwargs)
        raise refusal

    return staticmethod(call)
