from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.periods import Period


class PeriodForm(forms.Form):
    """A calendar year or a Japanese fiscal year (April–March)."""

    KINDS = [("year", _("Calendar year")), ("fiscal_year", _("Fiscal year (April–March)"))]

    kind = forms.ChoiceField(label=_("Period"), choices=KINDS, initial="fiscal_year")
    value = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)

    def period(self) -> Period:
        year = self.cleaned_data["value"]
        return Period.fiscal_year(year) if self.cleaned_data["kind"] == "fiscal_year" else Period.calendar_year(year)

    @property
    def is_fiscal(self) -> bool:
        return self.cleaned_data["kind"] == "fiscal_year"
