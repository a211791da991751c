"""The operational watch list: what needs someone's attention now to keep officials safe.

It reads the same selectors as the daily reminders, so the page and the e-mails never
disagree about what is late. Readers without the right to personal data (managers) see
how many officials have document problems, not whose documents or which dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cooperation.notifications.reminders import Reminder
from cooperation.privacy import can_see_personal_data
from dispatch import stats as dispatch_stats
from duty import stats as duty_stats
from duty import stats_incidents
from trainees import selectors as trainee_selectors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COURSE_HORIZON_DAYS = 30
# Items listed per section, the urgent first; the rest are counted. A large agency can have
# thousands of overdue check-ins or documents running out at once, and a list that long is
# read by nobody (and weighs a megabyte): the count says how big the problem is, the admin
# lists every case.
SHOWN_PER_SECTION = 50


@dataclass
class WatchItem:
    text: str
    link: str = ""
    urgent: bool = False


@dataclass
class WatchSection:
    key: str
    title: StrOrPromise
    items: list[WatchItem] = field(default_factory=list)
    withheld: int = 0  # items counted but not shown to this reader
    more: int = 0  # items counted beyond the ones listed

    @property
    def count(self) -> int:
        return len(self.items) + self.withheld + self.more

    def listing_the_first(self, shown: int) -> WatchSection:
        if len(self.items) > shown:
            by_urgency = sorted(self.items, key=lambda item: not item.urgent)
            self.items, self.more = by_urgency[:shown], self.more + len(self.items) - shown
        return self


def _items(reminders: list[Reminder], *, links: bool) -> list[WatchItem]:
    language = translation.get_language()
    return [
        WatchItem(reminder.render(language)[0], reminder.link if links else "", reminder.escalated)
        for reminder in reminders
    ]


def watch_list(user, now: datetime | None = None) -> list[WatchSection]:
    return [section.listing_the_first(SHOWN_PER_SECTION) for section in _sections(user, now)]


def _sections(user, now: datetime | None) -> list[WatchSection]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    links = user.is_staff
    attention = dispatch_stats.needing_attention(now)
    documents = attention["documents"]
    document_section = WatchSection("documents", _("Passports and medical clearances running out"))
    if can_see_personal_data(user):
        document_section.items = _items(documents, links=links)
    else:
        document_section.withheld = len({reminder.params["expert"].pk for reminder in documents})

    roll_call_section = WatchSection("roll_calls", _("Open roll calls: officials not yet accounted for"))
    if can_see_personal_data(user):
        roll_call_section.items = [
            WatchItem(
                _("%(incident)s: %(unaccounted)d of %(listed)d officials unaccounted for")
                % {"incident": roll_call.title, "unaccounted": roll_call.unaccounted, "listed": roll_call.listed},
                reverse("admin:duty_incident_change", args=[roll_call.incident_id]) if links else "",
                urgent=roll_call.unaccounted > 0,
            )
            for roll_call in stats_incidents.open_roll_calls()
        ]
    else:
        roll_call_section.withheld = stats_incidents.unaccounted_in_open_roll_calls()

    def course_link(course) -> str:
        return reverse("admin:trainees_course_change", args=[course.pk]) if links else ""

    return [
        WatchSection(
            "departures",
            _("Departures in the next 30 days with the checklist unfinished"),
            _items(attention["departures"], links=links),
        ),
        WatchSection(
            "check_ins",
            _("Officials abroad with a safety check-in overdue"),
            _items(attention["check_ins"], links=links),
        ),
        document_section,
        roll_call_section,
        # Counts only, for every reader: who and where are on the staff's headcount page.
        WatchSection(
            "abroad",
            _("Officials abroad now, by country"),
            [
                WatchItem(
                    _("%(country)s: %(count)d") % {"country": row.name, "count": row.officials},
                    reverse("duty:headcount") + f"#country-{row.country}" if can_see_personal_data(user) else "",
                )
                for row in duty_stats.headcount_by_country(today)
            ],
        ),
        WatchSection(
            "courses",
            _("Courses starting within %(days)d days with open seats") % {"days": COURSE_HORIZON_DAYS},
            [
                WatchItem(
                    _("%(course)s starts on %(date)s: %(taken)d of %(capacity)d seats taken")
                    % {
                        "course": course,
                        "date": course.start_date,
                        "taken": course.seats_taken,
                        "capacity": course.capacity,
                    },
                    course_link(course),
                )
                for course in trainee_selectors.courses_starting_with_open_seats(today, within_days=COURSE_HORIZON_DAYS)
            ],
        ),
        WatchSection(
            "nominations",
            _("Nominations awaiting a decision"),
            [
                WatchItem(
                    _("%(course)s: %(count)d nominations to decide") % {"course": course, "count": course.undecided},
                    course_link(course),
                )
                for course in trainee_selectors.courses_with_undecided_nominations()
            ],
        ),
    ]
