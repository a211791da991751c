from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.periods import Period
from programs.models import Program

from .packs import MAX_YEARS


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


class PackForm(forms.Form):
    """A span of years for the statistics pack a worker builds."""

    FORMATS = [("xlsx", "XLSX"), ("csv", "CSV")]

    kind = forms.ChoiceField(label=_("Period"), choices=PeriodForm.KINDS, initial="fiscal_year")
    first = forms.IntegerField(label=_("From"), min_value=1950, max_value=2100)
    last = forms.IntegerField(label=_("To"), min_value=1950, max_value=2100)
    file_format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="xlsx")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first is not None and last is not None:
            if last < first:
                self.add_error("last", _("The last year cannot come before the first."))
            elif last - first + 1 > MAX_YEARS:
                self.add_error("last", _("A pack covers at most %(years)d years.") % {"years": MAX_YEARS})
        return cleaned


class ProgramResultsForm(forms.Form):
    """A program (by code, among those the reader may see) and a Japanese fiscal year."""

    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none(), to_field_name="code")
    fiscal_year = forms.IntegerField(label=_("Fiscal year (April–March)"), min_value=1950, max_value=2100)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
