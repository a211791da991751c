"""A coordinator reports a period's value on the web form and staff review it, in a real
headless Chromium, once in English and once in Japanese. Each walk takes several seconds
(a browser and a live server); one walk per language keeps them few."""

import pytest
from django.conf import settings
from django.test import Client

from programs.models import PeriodValue

from .factories import (
    DisaggregationCategoryFactory,
    DisaggregationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ProgramPartnerFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n%count of officers\n"


@pytest.fixture
def period(partner_org, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path
    project = ProjectFactory()
    ProgramPartnerFactory(program=project.program, organization=partner_org)
    period = IndicatorPeriodFactory(indicator=IndicatorFactory(project=project, name="Officers trained in koban work"))
    gender = DisaggregationFactory(indicator=period.indicator, name="gender")
    DisaggregationCategoryFactory(disaggregation=gender, name="women")
    DisaggregationCategoryFactory(disaggregation=gender, name="men")
    return period


def sign_in(page, base: str, user, language: str) -> None:
    """A session of the user's own, in the language asked for (the login page is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base},
        ]
    )


def report(page, base: str, period, women: str, men: str) -> None:
    page.goto(f"{base}/results/report/{period.pk}/")
    page.fill("#id_value", "40")
    categories = period.indicator.disaggregations.get().categories.order_by("pk")
    for category, amount in zip(categories, (women, men), strict=True):
        page.fill(f"#id_category_{category.pk}", amount)
    page.set_input_files("#id_evidence", {"name": "count.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_report_and_approve_in_english(live_server, page, period, coordinator_user, staff_user, artifacts_dir):
    base = live_server.url
    sign_in(page, base, coordinator_user, "en")
    page.goto(f"{base}/results/report/")
    page.click("text=Report a value")
    page.wait_for_url(f"**/results/report/{period.pk}/")
    report(page, base, period, "12", "28")
    assert "Your value is submitted for review." in page.content()
    page.screenshot(path=str(artifacts_dir / "results-report-en.png"), full_page=True)

    sign_in(page, base, staff_user, "en")
    page.goto(f"{base}/results/review/")
    assert "count.pdf" in page.content()
    page.screenshot(path=str(artifacts_dir / "results-review-en.png"), full_page=True)
    page.click("button[value=approve]")
    assert "The value is approved; it counts from now on." in page.content()
    assert PeriodValue.objects.get().status == "approved"


def test_refused_breakdown_and_return_in_japanese(
    live_server, page, period, coordinator_user, staff_user, artifacts_dir
):
    base = live_server.url
    sign_in(page, base, coordinator_user, "ja")
    report(page, base, period, "12", "20")
    assert "gender 別の内訳の合計は 32 で、値 40 と一致しません。" in page.content()
    page.screenshot(path=str(artifacts_dir / "results-report-refused-ja.png"), full_page=True)
    report(page, base, period, "12", "28")
    assert "値を提出しました。審査をお待ちください。" in page.content()

    sign_in(page, base, staff_user, "ja")
    page.goto(f"{base}/results/review/")
    page.fill("input[name=reason]", "州別の内訳も添えてください")
    page.click("button[value=return]")
    assert "値を報告機関に差し戻しました。" in page.content()

    sign_in(page, base, coordinator_user, "ja")
    page.goto(f"{base}/results/report/{period.pk}/")
    assert "差戻しの理由: 州別の内訳も添えてください" in page.content()
    page.screenshot(path=str(artifacts_dir / "results-returned-ja.png"), full_page=True)
