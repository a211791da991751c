"""Periods in templates, written as everywhere else (cooperation.periods)."""

from django import template

from cooperation.periods import fiscal_year_name

register = template.Library()


@register.filter
def fiscal_year(year: int) -> str:
    """`{{ 2012|fiscal_year }}`: "FY2012", or "2012年度" on a Japanese page."""
    return fiscal_year_name(year)
