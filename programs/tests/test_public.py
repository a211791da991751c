"""The public pages: the published portfolio only, in English and Japanese, for anyone."""

import re

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django_countries import countries

from cooperation.periods import Period
from programs.models import Funding

from .conftest import build_public_portfolio
from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_portfolio_lists_only_published_programs(client, public_portfolio):
    html = page_text(client, "/public/")
    for program in public_portfolio.published_programs:
        assert program.title in html
    for record in public_portfolio.hidden_programs + public_portfolio.hidden_projects:
        assert record.title not in html
        assert record.code not in html


def test_the_portfolio_groups_by_country_and_field(client, public_portfolio):
    html = page_text(client, "/public/")
    by_country = html[html.index('id="by-country"') : html.index('id="by-field"')]
    assert "<h3>Indonesia</h3>" in by_country
    for project in public_portfolio.published_projects:
        if project.program.code == "pub-regional":
            assert f"<h3>{countries.name(project.country.code)}</h3>" in by_country
    by_field = html[html.index('id="by-field"') :]
    for field in public_portfolio.reform.fields.all():
        assert f"<h3>{field.name}</h3>" in by_field


def test_yearly_figures_count_published_records_only(client, public_portfolio):
    html = page_text(client, "/public/?lang=en")
    row = re.search(r'<tr data-fiscal-year="2012">(.*?)</tr>', html, re.S).group(1)
    fy2012 = Period.fiscal_year(2012)

    def runs(record) -> bool:
        return record.start_date <= fy2012.end and (record.end_date is None or record.end_date >= fy2012.start)

    programs = [p for p in public_portfolio.published_programs if runs(p)]
    projects = [p for p in public_portfolio.published_projects if runs(p)]
    hidden = [p for p in public_portfolio.hidden_programs + public_portfolio.hidden_projects if runs(p)]
    assert programs and projects and hidden  # the hidden ones would change the counts
    assert f'<td class="programs">{len(programs)}</td>' in row
    assert f'<td class="projects">{len(projects)}</td>' in row
    countries_shown = {p.country.code for p in programs + projects if p.country}
    assert f'<td class="countries">{len(countries_shown)}</td>' in row
    published_money = Funding.objects.filter(
        program__in=public_portfolio.published_programs, fiscal_year=2012, currency="JPY"
    ).exclude(project__in=public_portfolio.hidden_projects)
    amount = published_money.aggregate(total=Sum("amount"))["total"]
    assert f"{amount:,.0f} JPY" in row
    every_yen = Funding.objects.filter(fiscal_year=2012).aggregate(total=Sum("amount"))["total"]
    assert every_yen != amount and f"{every_yen:,.0f}" not in row


def test_a_program_page_shows_its_published_parts(client, public_portfolio):
    html = page_text(client, f"/public/programs/{public_portfolio.reform.code}/")
    assert public_portfolio.reform.title in html
    assert public_portfolio.reform_project.title in html
    assert "Secret pilot" not in html
    assert "Safe Streets" in html and "UNODC" in html and "JICA" in html
    assert public_portfolio.public_indicator.name in html
    assert public_portfolio.internal_indicator.name not in html
    latest = public_portfolio.public_indicator.measurements.order_by("-period_end").first()
    assert f"{latest.value.normalize()} <small>{latest.period_end:%Y-%m-%d}</small>" in html
    # No notes, sources, reviewers or unpublished money.
    for secret in ["internal note", "named officer", "publication-reviewer", "publication-submitter", "999"]:
        assert secret not in html


@pytest.mark.parametrize("code", ["pub-hidden-draft", "pub-hidden-submitted", "pub-hidden-withdrawn", "no-such"])
def test_an_unpublished_program_has_no_page(client, public_portfolio, code):
    assert client.get(f"/public/programs/{code}/").status_code == 404


def test_japanese_shows_the_japanese_titles(client, public_portfolio):
    html = page_text(client, f"/public/programs/{public_portfolio.reform.code}/?lang=ja")
    assert '<html lang="ja">' in html
    assert public_portfolio.reform.title_ja in html
    assert public_portfolio.public_indicator.name_ja in html
    assert "インドネシア" in html  # the country's name in Japanese
    english = page_text(client, f"/public/programs/{public_portfolio.reform.code}/?lang=en")
    assert '<html lang="en">' in english and public_portfolio.reform.title_ja not in english


def test_the_pages_need_no_login(client, public_portfolio):
    response = client.get("/public/")
    assert response.status_code == 200
    assert "Log out" not in response.content.decode()


def test_the_page_costs_the_same_queries_for_more_programs(client, public_portfolio):
    with CaptureQueriesContext(connection) as before:
        page_text(client, "/public/")
    for number in range(10):
        ProgramFactory(published=True, code=f"extra-{number}").fields.set(public_portfolio.reform.fields.all())
    with CaptureQueriesContext(connection) as after:
        html = page_text(client, "/public/")
    assert "extra-9" in html
    assert len(after) == len(before)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_render_in_chromium_in_both_languages(live_server, page, artifacts_dir):
    portfolio = build_public_portfolio()
    page.goto(f"{live_server.url}/public/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#by-country h3", has_text="Indonesia").count() == 1
    page.screenshot(path=str(artifacts_dir / "public-en.png"), full_page=True)

    page.click("button[name=language][value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("#by-country h3", has_text="インドネシア").count() == 1
    page.click(f'li.program[data-code="{portfolio.reform.code}"] a')
    page.wait_for_selector("article.public-program")
    assert page.locator("h1").inner_text() == portfolio.reform.title_ja
    assert page.locator("#results .indicator .name", has_text=portfolio.public_indicator.name_ja).count() == 1
    page.screenshot(path=str(artifacts_dir / "public-program-ja.png"), full_page=True)

    page.goto(f"{live_server.url}/public/programs/{portfolio.reform.code}/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == portfolio.reform.title
    assert page.locator(f'.project[data-code="{portfolio.reform_project.code}"]').count() == 1
    assert page.locator(".project", has_text="Secret pilot").count() == 0
