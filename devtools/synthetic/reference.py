"""Reference data, partner countries, their police agencies and the synthetic staff."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django_countries import countries as all_countries

from cooperation.models import CooperationField, Organization, Region
from cooperation.services import reference_data_load

from .base import ANCHOR_STAMP, ORG_CODE_PREFIX, USERNAME_PREFIX, Loader, Plan

# Organizations of the reference data that take part in programs as partners.
COORDINATOR_CODES = ("jica", "unodc")
INTERNATIONAL_KINDS = (Organization.Kind.INTERNATIONAL_ORGANIZATION,)
HOME_KINDS = (Organization.Kind.NPA, Organization.Kind.POLICE_ACADEMY, Organization.Kind.PREFECTURAL_POLICE)


@dataclass
class Reference:
    countries: list[str]
    agency_of: dict[str, int]
    home_organizations: list[int]
    international_organizations: list[int]
    coordinators: dict[str, int]
    ministry: int
    fields: list[int]
    field_names: dict[int, str]
    regions: list[int]
    submitter: int
    reviewer: int


def partner_countries(rng: random.Random, wanted: int) -> list[str]:
    """The partner countries: the reference regions' countries first, then any others."""
    ordered: list[str] = []
    for region in Region.objects.order_by("code"):
        ordered.extend(code for code in region.countries if code not in ordered and code != "JP")
    asean = list(Region.objects.filter(code="asean").values_list("countries", flat=True).first() or [])
    rest = [code for code in ordered if code not in asean]
    rng.shuffle(rest)
    others = sorted(code for code in dict(all_countries) if code not in ordered and code != "JP")
    rng.shuffle(others)
    return (asean + rest + others)[:wanted]


def load_reference(plan: Plan, rng: random.Random, loader: Loader) -> Reference:
    reference_data_load()
    countries = partner_countries(rng, plan.count("countries"))
    agency_of: dict[str, int] = {}
    for org in Organization.objects.filter(kind=Organization.Kind.RECIPIENT_AGENCY, country__in=countries).order_by(
        "-code"
    ):
        agency_of[str(org.country)] = org.pk
    missing = [code for code in countries if code not in agency_of]
    if missing:
        first = loader.next_id("cooperation_organization")
        rows = []
        for offset, code in enumerate(missing):
            agency_of[code] = first + offset
            rows.append(
                (
                    first + offset,
                    ANCHOR_STAMP,
                    ANCHOR_STAMP,
                    f"{ORG_CODE_PREFIX}police-{code.lower()}",
                    f"Synthetic national police {code}",
                    "",
                    "",
                    Organization.Kind.RECIPIENT_AGENCY.value,
                    code,
                    None,
                    "",
                )
            )
        loader.load(
            "cooperation_organization",
            (
                "id",
                "created_at",
                "updated_at",
                "code",
                "name",
                "name_ja",
                "acronym",
                "kind",
                "country",
                "parent_id",
                "website",
            ),
            rows,
        )
    organizations = Organization.objects.order_by("code")
    by_code = {org.code: org.pk for org in organizations}
    first_user = loader.next_id("auth_user")
    users = [
        (
            first_user + offset,
            "!synthetic",
            None,
            False,
            f"{USERNAME_PREFIX}{name}",
            "Synthetic",
            name,
            "",
            True,
            False,
            ANCHOR_STAMP,
        )
        for offset, name in enumerate(("submitter", "reviewer"))
    ]
    loader.load(
        "auth_user",
        (
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ),
        users,
    )
    fields = list(CooperationField.objects.order_by("code").values_list("pk", "name"))
    return Reference(
        countries=countries,
        agency_of=agency_of,
        home_organizations=[org.pk for org in organizations if org.kind in HOME_KINDS],
        international_organizations=[org.pk for org in organizations if org.kind in INTERNATIONAL_KINDS],
        coordinators={code: by_code[code] for code in COORDINATOR_CODES},
        ministry=by_code["mofa"],
        fields=[pk for pk, _ in fields],
        field_names=dict(fields),
        regions=list(Region.objects.order_by("code").values_list("pk", flat=True)),
        submitter=first_user,
        reviewer=first_user + 1,
    )
