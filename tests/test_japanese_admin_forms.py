"""Third-party admin pages in Japanese: the scheduled tasks' forms and the permissions of groups.

Rendered by the test client, not a browser: these pages have no script that changes their
words, so their HTML holds every word a reader sees.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from dispatch.models import Deployment
from programs.models import Program
from tests.test_japanese_admin_browser import JAPANESE, english_messages, untranslated

pytestmark = pytest.mark.django_db


class VisibleText(HTMLParser):
    """A page's text outside scripts and styles, its buttons' words, and apart from those its
    labels (form labels, column headings) and the options of its lists."""

    hidden = {"script", "style", "template", "noscript"}
    collected = hidden | {"label", "option", "thead"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.labels: list[str] = []
        self.options: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.collected:
            self._open.append(tag)
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self.collected and tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or self.hidden & set(self._open):
            return
        self.texts.append(text)
        if "option" in self._open:
            self.options.append(text)
        elif {"label", "thead"} & set(self._open):
            self.labels.append(text)


def visible_text(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


@pytest.fixture
def japanese_superuser(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16))
    client.cookies["django_language"] = "ja"
    return client


def test_the_scheduled_task_pages_speak_only_japanese(japanese_superuser):
    interval = IntervalSchedule.objects.create(every=3, period=IntervalSchedule.DAYS)
    crontab = CrontabSchedule.objects.create(minute="0", hour="8")
    task = PeriodicTask.objects.create(name="nightly", task="cooperation.tasks.drain_outbox", crontab=crontab)
    PeriodicTask.objects.create(name="every-three-days", task="cooperation.tasks.drain_outbox", interval=interval)
    exact, pattern = english_messages()
    found = {}
    for url in (
        "/admin/django_celery_beat/periodictask/",
        f"/admin/django_celery_beat/periodictask/{task.pk}/change/",
        f"/admin/django_celery_beat/crontabschedule/{crontab.pk}/change/",
        f"/admin/django_celery_beat/intervalschedule/{interval.pk}/change/",
    ):
        response = japanese_superuser.get(url)
        assert response.status_code == 200
        page = visible_text(response.text)
        # Catalog messages left in English, and labels of the app's own naming (from an
        # attribute or an unmarked verbose name), which no catalog holds.
        english = untranslated(page.texts, exact, pattern)
        english |= {label for label in page.labels if not JAPANESE.search(label) and re.search("[A-Za-z]{3}", label)}
        if english:
            found[url] = sorted(english)
    assert found == {}
    interval_page = visible_text(japanese_superuser.get("/admin/django_celery_beat/intervalschedule/").text)
    with translation.override("ja"):
        assert str(interval) in interval_page.texts and not str(interval).startswith("every")


def test_a_group_s_permissions_are_named_in_japanese(japanese_superuser):
    group = Group.objects.create(name="reviewers")
    response = japanese_superuser.get(f"/admin/auth/group/{group.pk}/change/")
    assert response.status_code == 200
    options = visible_text(response.text).options
    assert options and not [option for option in options if "Can " in option]
    with translation.override("ja"):
        deployment = Deployment._meta
        expected_default = f"{deployment.app_config.verbose_name} | {deployment.verbose_name} | "
        expected_default += f"{deployment.verbose_name}の追加"
        program = Program._meta
        review = dict(program.permissions)["review_program"]
        expected_own = f"{program.app_config.verbose_name} | {program.verbose_name} | {review}"
    assert expected_default in options
    assert expected_own in options and JAPANESE.search(expected_own.rsplit("|", 1)[1])
    assert Permission.objects.filter(codename="add_deployment").get().name == "Can add deployment"
