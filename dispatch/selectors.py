"""Reads of the roster: countries of experience, availability and candidate search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.languages import language_name, validate_language_code
from cooperation.validation import refusal

from .choices import ExpertStatus, StandbySpecialty, Term
from .fitness import STANDARD_RELIEF_DAYS, oldest_current_training, passport_required_until
from .models import Deployment, Expert, ExpertLanguage
from .models.deployments import FINISHED, LONG_TERM_DAYS

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# How much each kind of match weighs in a candidate's rank.
WEIGHT_LANGUAGE = 3
WEIGHT_FIELD = 2
WEIGHT_COUNTRY = 2
WEIGHT_TERM = 1


class Cardinality(Func):
    function = "cardinality"
    output_field = IntegerField()


def deployment_countries(prefix: str = "", deployments: QuerySet[Deployment] | None = None) -> ArraySubquery:
    """The countries an expert has served in, by the finished deployments on record
    (of `deployments` only, when given: a partner's scope)."""
    base = Deployment.objects.all() if deployments is None else deployments
    finished = base.filter(expert=OuterRef(f"{prefix}pk"), status__in=FINISHED).order_by().values("country").distinct()
    return ArraySubquery(finished)


def with_experience(experts: QuerySet[Expert]) -> QuerySet[Expert]:
    """Annotate `served_countries`: the countries of the expert's finished deployments."""
    return experts.annotate(served_countries=deployment_countries())


def countries_of_experience(expert: Expert) -> list[str]:
    """Entered by hand and derived from the deployments on record, as sorted ISO codes."""
    served = getattr(expert, "served_countries", None)
    if served is None:
        served = Deployment.objects.filter(expert=expert, status__in=FINISHED).values_list("country", flat=True)
    return sorted({*expert.countries_of_experience, *served})


def has_experience_in(country: str, deployments: QuerySet[Deployment] | None = None) -> Q:
    base = Deployment.objects.all() if deployments is None else deployments
    finished_there = base.filter(expert=OuterRef("pk"), status__in=FINISHED, country=country)
    return Q(countries_of_experience__contains=[country]) | Q(Exists(finished_there))


def busy_between(start: date, end: date) -> Exists:
    """The expert holds a live deployment meeting the period."""
    return Exists(Deployment.objects.filter(expert=OuterRef("pk")).overlapping(start, end))


def fit_for(start: date, end: date) -> Q:
    """Dispatchable, with a passport and a medical clearance good for a stay ending `end`."""
    return Q(
        status__in=(ExpertStatus.ACTIVE, ExpertStatus.RETIRED),
        passport_expiry__gte=passport_required_until(end),
        medical_clearance_until__gte=end,
    )


@dataclass
class Candidate:
    expert: Expert
    score: int
    reasons: list[dict[str, Any]] = field(default_factory=list)


def parse_language_requirements(values: Iterable[str]) -> dict[str, int]:
    """`["en:3", "id"]` → {"en": 3, "id": 1}; bad items are field errors."""
    wanted: dict[str, int] = {}
    for raw in values:
        code, _sep, level = raw.partition(":")
        code = code.strip().lower()
        try:
            validate_language_code(code)
            minimum = int(level) if level else 1
        except ValueError:
            raise refusal(
                "language", _("“%(raw)s”: give the minimum level as a number, e.g. en:3.") % {"raw": raw}, "invalid"
            ) from None
        except ValidationError as exc:
            raise refusal("language", " ".join(exc.messages), "unknown_language") from None
        if not 1 <= minimum <= 5:
            raise refusal("language", _("“%(raw)s”: a level lies between 1 and 5.") % {"raw": raw}, "invalid")
        wanted[code] = minimum
    return wanted


def candidate_search(
    *,
    country: str,
    fields: Iterable[Any] = (),  # CooperationField records or their ids
    languages: dict[str, int] | None = None,
    start: date,
    end: date,
    term: str | None = None,
    ignore_deployment: Deployment | None = None,
    limit: int = 50,
) -> list[Candidate]:
    """Available, fit experts for a stay in `country` from `start` to `end`, best first.

    Nobody already booked in the period, unavailable, or whose passport or medical
    clearance does not cover it is returned. The rank adds up language matches at the
    required level, matching specialties, experience in the country and, when a term is
    asked for, earlier deployments of that term; every point comes with its reason.
    """
    languages = languages or {}
    field_ids = [getattr(item, "pk", item) for item in fields]
    errors = {}
    if end < start:
        errors["end"] = ValidationError(_("The end cannot be before the start."), code="date_order")
    if term is not None:
        long_period = (end - start).days + 1 >= LONG_TERM_DAYS
        if term not in Term.values:
            errors["term"] = ValidationError(_("Choose long or short."), code="invalid_choice")
        elif (term == Term.LONG) != long_period:
            errors["term"] = ValidationError(
                _("The dates make a %(actual)s-term stay.") % {"actual": Term.LONG if long_period else Term.SHORT},
                code="term_mismatch",
            )
    if errors:
        raise ValidationError(errors)

    busy = Deployment.objects.filter(expert=OuterRef("pk")).overlapping(start, end)
    if ignore_deployment is not None:
        busy = busy.exclude(pk=ignore_deployment.pk)

    no_match: Value | ArraySubquery = Value([], output_field=ArrayField(CharField()))
    matched_languages = no_match
    if languages:
        language_match = Q()
        for code, minimum in languages.items():
            language_match |= Q(language=code, level__gte=minimum)
        matched_languages = ArraySubquery(
            ExpertLanguage.objects.filter(language_match, expert=OuterRef("pk")).order_by("language").values("language")
        )
    matched_fields = no_match
    if field_ids:
        matched_fields = ArraySubquery(
            Expert.specialties.through.objects.filter(expert=OuterRef("pk"), cooperationfield__in=field_ids)
            .order_by("cooperationfield__name")
            .values("cooperationfield__name")
        )
    same_term = Deployment.objects.filter(expert=OuterRef("pk"), status__in=FINISHED, term=term or "")

    experts = (
        Expert.objects.filter(fit_for(start, end))
        .exclude(Exists(busy))
        .select_related("organization")
        .annotate(
            matched_languages=matched_languages,
            matched_fields=matched_fields,
            knows_country=Case(When(has_experience_in(country), then=1), default=0),
            knows_term=Case(When(Exists(same_term), then=1), default=0),
        )
        .annotate(
            language_score=Coalesce(Cardinality("matched_languages"), 0),
            field_score=Coalesce(Cardinality("matched_fields"), 0),
        )
        .annotate(
            score=F("language_score") * WEIGHT_LANGUAGE
            + F("field_score") * WEIGHT_FIELD
            + F("knows_country") * WEIGHT_COUNTRY
            + F("knows_term") * Value(WEIGHT_TERM if term else 0)
        )
        .order_by("-score", "-passport_expiry", "family_name", "personnel_number")[:limit]
    )
    return [
        _candidate(expert, country=country, term=term, start=start, end=end, wanted=languages) for expert in experts
    ]


class _Match(TypedDict):
    """What `candidate_search` annotates on each expert."""

    matched_languages: list[str]
    matched_fields: list[str]
    knows_country: int
    knows_term: int
    score: int


def _candidate(
    expert: WithAnnotations[Expert, _Match],
    *,
    country: str,
    term: str | None,
    start: date,
    end: date,
    wanted: dict[str, int],
) -> Candidate:
    reasons: list[dict[str, Any]] = []
    for code in expert.matched_languages:
        reasons.append(
            {
                "code": "language",
                "points": WEIGHT_LANGUAGE,
                "message": _("Speaks %(language)s at level %(minimum)s or better.")
                % {"language": language_name(code), "minimum": wanted[code]},
            }
        )
    for name in expert.matched_fields:
        reasons.append(
            {
                "code": "field",
                "points": WEIGHT_FIELD,
                "message": _("Specialist in %(field)s.") % {"field": name},
            }
        )
    if expert.knows_country:
        reasons.append(
            {
                "code": "country_experience",
                "points": WEIGHT_COUNTRY,
                "message": _("Has worked in %(country)s before.") % {"country": country},
            }
        )
    if term and expert.knows_term:
        reasons.append(
            {
                "code": "term_experience",
                "points": WEIGHT_TERM,
                "message": _("Has served a %(term)s-term deployment before.") % {"term": term},
            }
        )
    reasons.append(
        {
            "code": "documents_valid",
            "points": 0,
            "message": _("Passport and medical clearance are valid for %(start)s – %(end)s.")
            % {"start": start.isoformat(), "end": end.isoformat()},
        }
    )
    return Candidate(expert=expert, score=expert.score, reasons=reasons)


def candidates_for(
    deployment: Deployment,
    *,
    languages: dict[str, int] | None = None,
    fields: Iterable[Any] | None = None,
    limit: int = 50,
) -> list[Candidate]:
    """Candidates for a requested deployment: its country, dates, term and project fields."""
    if fields is None:
        fields = list(deployment.project.fields.values_list("pk", flat=True)) if deployment.project is not None else []
    return candidate_search(
        country=deployment.country.code,  # type: ignore[attr-defined]  # a CountryField reads as a Country; the stubs type it as str
        fields=fields,
        languages=languages,
        start=deployment.planned_start,
        end=deployment.planned_end,
        term=deployment.term,
        ignore_deployment=deployment,
        limit=limit,
    )


# --- the standby roster --------------------------------------------------------------------


def standby_flag(specialty: str) -> str:
    return f"standby_{specialty}"


def standby_conditions(start: date, end: date) -> dict[str, Q]:
    """What makes a standby member fit for a relief stay from `start` to `end`, by reason code."""
    booked = Deployment.objects.filter(expert=OuterRef("pk")).overlapping(start, end)
    return {
        "not_active": Q(status=ExpertStatus.ACTIVE),
        "passport": Q(passport_expiry__gte=passport_required_until(end)),
        "medical": Q(medical_clearance_until__gte=end),
        "training": Q(safety_training_on__gte=oldest_current_training(start)),
        "deployed": ~Q(Exists(booked)),
    }


class _Fitness(TypedDict):
    """What `standby_roster` annotates on each member."""

    ok_not_active: bool
    ok_deployed: bool
    ok_passport: bool
    ok_medical: bool
    ok_training: bool
    booked_with: int | None


def standby_roster(
    *, specialties: Iterable[str], start: date, end: date
) -> QuerySet[WithAnnotations[Expert, _Fitness]]:
    """Standby members of the given specialties, fittest first, each condition annotated.

    `ok_<reason>` is true when the member meets that condition; `booked_with` names the
    deployment that keeps a booked member busy.
    """
    flags = Q()
    for specialty in specialties:
        flags |= Q(**{standby_flag(specialty): True})
    booked = Deployment.objects.filter(expert=OuterRef("pk")).overlapping(start, end).order_by("planned_start", "pk")
    checks = {
        f"ok_{reason}": Case(When(condition, then=True), default=False, output_field=BooleanField())
        for reason, condition in standby_conditions(start, end).items()
    }
    roster: QuerySet[WithAnnotations[Expert, _Fitness]] = (
        Expert.objects.filter(flags)
        .select_related("organization")
        .annotate(booked_with=Subquery(booked.values("pk")[:1]), **checks)
        .order_by(F("safety_training_on").desc(nulls_last=True), F("passport_expiry").desc(nulls_last=True), "pk")
    )
    return roster


def unfit_reasons(expert: WithAnnotations[Expert, _Fitness], *, start: date, end: date) -> list[dict[str, Any]]:
    """Why an annotated standby member (see `standby_roster`) cannot go, in words."""
    reasons: list[dict[str, Any]] = []
    if not expert.ok_not_active:
        reasons.append({"code": "not_active", "message": _("Status: %(s)s.") % {"s": expert.get_status_display()}})
    if not expert.ok_deployed:
        reasons.append(
            {
                "code": "deployed",
                "message": _("Already booked in these days (deployment #%(id)s).") % {"id": expert.booked_with},
            }
        )
    if not expert.ok_passport:
        reasons.append(
            {
                "code": "passport",
                "message": _("Passport (valid until %(expiry)s) must last until %(required)s.")
                % {"expiry": expert.passport_expiry or "–", "required": passport_required_until(end)},
            }
        )
    if not expert.ok_medical:
        reasons.append(
            {
                "code": "medical",
                "message": _("Medical clearance (until %(until)s) lapses before %(end)s.")
                % {"until": expert.medical_clearance_until or "–", "end": end},
            }
        )
    if not expert.ok_training:
        reasons.append(
            {
                "code": "training",
                "message": _("Safety training overdue (last: %(last)s).") % {"last": expert.safety_training_on or "–"},
            }
        )
    return reasons


def standby_readiness(day: date | None = None) -> list[dict[str, Any]]:
    """Per specialty: standby members, how many could leave on `day` for a standard relief
    stay, and how many are held back by each reason (a member may have several)."""
    day = day or timezone.localdate()
    end = day + timedelta(days=STANDARD_RELIEF_DAYS - 1)
    conditions = standby_conditions(day, end)
    ready = Q()
    for condition in conditions.values():
        ready &= condition
    counts: dict[str, Count] = {}
    for specialty in StandbySpecialty.values:
        flag = Q(**{standby_flag(specialty): True})
        counts[f"{specialty}__members"] = Count("pk", filter=flag)
        counts[f"{specialty}__ready"] = Count("pk", filter=flag & ready)
        for reason, condition in conditions.items():
            counts[f"{specialty}__{reason}"] = Count("pk", filter=flag & ~condition)
    totals = Expert.objects.aggregate(**counts)
    return [
        {
            "specialty": specialty,
            "label": str(label),
            "members": totals[f"{specialty}__members"],
            "ready": totals[f"{specialty}__ready"],
            "not_ready": {reason: totals[f"{specialty}__{reason}"] for reason in conditions},
        }
        for specialty, label in StandbySpecialty.choices
    ]


def recorded_dates_against_plan(deployment: Deployment) -> list[str]:
    """What the recorded departure and return say against the planned dates.

    Plans slip and the recorded dates stay what happened, so none of this refuses a save;
    the staff are told, in case the date was mistyped or the plan needs moving.
    """
    start, end = deployment.planned_start, deployment.planned_end
    departed, returned = deployment.actual_start, deployment.actual_end
    notes: list[str] = []

    def note(message: str, actual: date, planned: date) -> None:
        notes.append(message % {"actual": actual.isoformat(), "planned": planned.isoformat()})

    if departed and departed < start:
        note(_("The departure (%(actual)s) is recorded before the planned start (%(planned)s)."), departed, start)
    if departed and departed > end:
        note(_("The departure (%(actual)s) is recorded after the planned end (%(planned)s)."), departed, end)
    if returned and returned > end:
        note(_("The return (%(actual)s) is recorded after the planned end (%(planned)s)."), returned, end)
    if returned and returned < start:
        note(_("The return (%(actual)s) is recorded before the planned start (%(planned)s)."), returned, start)
    return notes
