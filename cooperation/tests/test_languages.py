"""Both languages: the switch on every page, the choice it keeps, periods and names as readers see them."""

import pytest
from django.utils import translation
from lxml import html

from cooperation.languages import language_name
from cooperation.periods import Period

pytestmark = pytest.mark.django_db


def switch_of(response) -> dict:
    forms = html.fromstring(response.content.decode()).xpath("//form[@class='language-switch']")
    assert len(forms) == 1, "one language switch on the page"
    return {
        "next": forms[0].xpath(".//input[@name='next']/@value")[0],
        "languages": forms[0].xpath(".//button[@name='language']/@value"),
        "csrf": bool(forms[0].xpath(".//input[@name='csrfmiddlewaretoken']")),
    }


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/dashboard/", "/public/"])
def test_every_kind_of_page_carries_the_switch(client, staff_user, manager_user, path):
    if path != "/admin/login/":
        client.force_login(manager_user if path == "/dashboard/" else staff_user)
    response = client.get(path)
    assert response.status_code == 200
    switch = switch_of(response)
    assert switch["languages"] == ["en", "ja"]
    assert switch["csrf"]
    assert switch["next"] == path


def test_the_switch_returns_to_the_page_without_a_language_that_would_override_it(client):
    switch = switch_of(client.get("/public/?lang=ja&page=2"))
    assert switch["next"] == "/public/?page=2"


def test_the_switch_wins_over_the_profile_for_the_browser_session(client, staff_user):
    staff_user.profile.language = "en"
    staff_user.profile.save()
    client.force_login(staff_user)
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/admin/"})
    assert response.status_code == 302
    cookie = response.cookies["django_language"]
    assert cookie.value == "ja" and not cookie["max-age"] and cookie["httponly"]
    assert '<html lang="ja"' in client.get("/admin/").content.decode()


def test_a_fiscal_year_reads_the_same_on_every_page_of_a_language():
    period = Period.fiscal_year(2012)
    assert period.label == "FY2012"  # the key stored figures and files go by, in any language
    with translation.override("en"):
        assert period.name == "FY2012"
    with translation.override("ja"):
        assert period.name == "2012年度"
        assert Period.calendar_year(2012).name == "2012"


def test_languages_are_named_in_the_readers_language():
    with translation.override("ja"):
        assert language_name("id") == "インドネシア語"  # from Django's catalog
        assert language_name("tl") == "タガログ語"  # from ours
    with translation.override("en"):
        assert language_name("tl") == "Tagalog"
