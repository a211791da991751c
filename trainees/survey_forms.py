"""The follow-up survey's web form, built from the survey's questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import Applied, QuestionKind
from .models import SurveyQuestion

YES_NO = [(Applied.YES.value, Applied.YES.label), (Applied.NO.value, Applied.NO.label)]


def field_name(question: SurveyQuestion) -> str:
    return f"question_{question.pk}"


def _label(question: SurveyQuestion) -> str:
    return question.text_ja if get_language() == "ja" and question.text_ja else question.text


def _field(question: SurveyQuestion) -> forms.Field:
    label = _label(question)
    if question.kind == QuestionKind.APPLIED:
        return forms.ChoiceField(label=label, choices=Applied.choices, widget=forms.RadioSelect)
    if question.kind == QuestionKind.YES_NO:
        return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect)
    if question.kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            label=label,
            required=False,
            min_value=0,
            max_digits=16,
            decimal_places=4,
            help_text=_("Leave empty if none."),
        )
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class SurveyAnswerForm(forms.Form):
    def __init__(self, *args, questions: list[SurveyQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = _field(question)

    def answers(self) -> dict[int, object]:
        return {question.pk: self.cleaned_data.get(field_name(question)) for question in self.questions}
