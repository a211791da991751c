"""The main admin pages in Japanese show no English message of ours and no raw choice code.

One browser session switches the admin to Japanese with the header's language switch, then
walks the staff's main pages. On each page it collects the text a reader sees (text nodes
laid out on the page or in a closed section, the options of lists, the labels of buttons)
and flags any piece that is an English message of our catalog (one Japanese translates) or
a code or English label of one of our models' choices: a label someone forgot to mark for
translation, a translation missing from the catalog, or a code shown where its label belongs.
"""

import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django_countries.fields import CountryField

from cooperation.tests.factories import TEST_PASSWORD
from dispatch.services.deployments import deployment_transition
from dispatch.tests.factories import DeploymentFactory, ExpertLanguageFactory, MissionFactory
from programs.tests.factories import ProgramFactory, ProjectFactory
from trainees.choices import EnrollmentStatus
from trainees.services import enrollment_transition
from trainees.tests.factories import CourseFactory, DelegationFactory, EnrollmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUR_APPS = ("cooperation", "programs", "dispatch", "trainees", "reports")
CATALOG = Path(settings.LOCALE_PATHS[0]) / "ja" / "LC_MESSAGES" / "django.mo"

# English that rightly stays on a Japanese page, each with its reason. Data the test writes
# (names, codes) never equals a message, so it needs no entry here.
ALLOWED = {
    "English",  # the language switch names each language in itself (its form is skipped too)
    "NGO",  # an organization's kind: Japanese writes NGO too, so the catalog keeps it
}

# Where a piece of text may hold several messages: a history's "from → to", a breadcrumb's
# "A › B", a label's "Term:", a list of values.
SEPARATORS = re.compile(r"\s*(?:→|›|·|\||:|,)\s*")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]")
JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff]")

VISIBLE_TEXT = """() => {
  const texts = [];
  const skipped = "script, style, noscript, template, .language-switch, .empty-form";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text || !element || element.closest(skipped)) continue;
    // An option is read once its list opens, a closed section's text once it is opened.
    if (element.closest("option, details") || element.checkVisibility()) texts.push(text);
  }
  for (const input of document.querySelectorAll("input[type=submit], input[type=button], [placeholder]")) {
    const text = input.getAttribute("placeholder") || input.value;
    if (text && !input.closest(skipped)) texts.push(text.trim());
  }
  return texts;
}"""


def english_messages() -> tuple[set[str], re.Pattern]:
    """The msgids our catalog translates into something else: exact ones, and a pattern for
    those with placeholders (at least two letters of their own, so "%(count)s" matches nothing)."""
    catalog = gettext.GNUTranslations(CATALOG.open("rb"))
    exact, patterns = set(), []
    for key, translated in catalog._catalog.items():
        msgid = (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]  # without its context
        if not msgid or msgid == translated:
            continue
        if PLACEHOLDER.search(msgid):
            if len(re.findall("[A-Za-z]", PLACEHOLDER.sub("", msgid))) >= 2:
                patterns.append(".+".join(re.escape(part) for part in PLACEHOLDER.split(msgid)))
        else:
            exact.add(msgid.strip().casefold())
    return exact, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def choice_words() -> set[str]:
    """Every code and English label of our models' choices. Two-letter codes are ISO language
    and country codes, which read the same in both languages, so they are left out."""
    words = set()
    with translation.override("en"):
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS:
                continue
            for field in model._meta.get_fields():
                if not getattr(field, "choices", None):
                    continue
                for code, label in field.flatchoices:
                    if isinstance(code, str) and len(code) > 2 and not isinstance(field, CountryField):
                        words.add(code.casefold())
                    words.add(str(label).casefold())
    return words


def untranslated(texts: list[str], exact: set[str], pattern: re.Pattern) -> set[str]:
    found = set()
    for text in set(texts):
        for piece in {text, *SEPARATORS.split(text)}:
            piece = piece.strip()
            if not piece or piece in ALLOWED:
                continue
            # A message with words to fill in is English around them; text with Japanese in it is not.
            if piece.casefold() in exact or (not JAPANESE.search(piece) and pattern.fullmatch(piece)):
                found.add(piece)
    return found


def records_on_every_page(staff_user) -> dict[str, int]:
    """One record of each kind the walk opens, with a history to show: a program whose status
    changed, a short deployment moved once, a course with an accepted and a completed trainee."""
    program = ProgramFactory(title="Police reform support", title_ja="警察改革支援")
    program.status = "active"
    program.save()
    ProjectFactory(program=program)  # the program page lists its projects
    deployment = DeploymentFactory(planned_start=date(2030, 4, 1), planned_end=date(2030, 6, 30))
    deployment_transition(deployment=deployment, to="nominated", actor=staff_user)
    ExpertLanguageFactory(expert=deployment.expert, language="id")
    MissionFactory()
    course = CourseFactory()
    enrollment = EnrollmentFactory(course=course)
    enrollment_transition(enrollment=enrollment, to=EnrollmentStatus.ACCEPTED, actor=staff_user)
    EnrollmentFactory(course=course, status=EnrollmentStatus.COMPLETED)
    DelegationFactory()
    return {"program": program.pk, "deployment": deployment.pk, "enrollment": enrollment.pk}


def main_pages(pk: dict[str, int]) -> list[str]:
    return [
        "/admin/",
        "/admin/programs/program/",
        f"/admin/programs/program/{pk['program']}/change/",
        f"/admin/programs/program/{pk['program']}/history/",
        "/admin/dispatch/expert/",
        "/admin/dispatch/expert/add/",
        "/admin/dispatch/deployment/",
        f"/admin/dispatch/deployment/{pk['deployment']}/change/",
        "/admin/dispatch/mission/",
        "/admin/trainees/course/",
        "/admin/trainees/course/add/",
        "/admin/trainees/enrollment/",
        f"/admin/trainees/enrollment/{pk['enrollment']}/change/",
        "/admin/trainees/delegation/add/",
        "/admin/axes/accessattempt/",
    ]


SCREENSHOTS = {
    "/admin/": "admin-ja-index.png",
    "/admin/dispatch/deployment/": "admin-ja-deployments.png",
    "/admin/trainees/enrollment/": "admin-ja-enrollments.png",
}


def test_the_main_admin_pages_speak_only_japanese(live_server, page, staff_user, artifacts_dir):
    """Takes some fifteen seconds: the server renders and a browser lays out fifteen admin
    pages, each checked whole (the check itself takes milliseconds)."""
    pk = records_on_every_page(staff_user)
    exact, pattern = english_messages()
    exact |= choice_words()

    page.goto(f"{live_server.url}/admin/login/")
    page.click(".language-switch button[value=ja]")
    page.wait_for_selector("html[lang=ja]")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    found = {}
    for path in main_pages(pk):
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, f"{path} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == "ja"
        if path in SCREENSHOTS:
            page.screenshot(path=artifacts_dir / SCREENSHOTS[path], full_page=True)
        if english := untranslated(page.evaluate(VISIBLE_TEXT), exact, pattern):
            found[path] = sorted(english)
    assert found == {}

    # The switch goes back to English on the page it was used on.
    page.click(".language-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url == f"{live_server.url}/admin/axes/accessattempt/"
