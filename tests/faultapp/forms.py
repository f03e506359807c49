from django import forms


class TriageForm(forms.Form):
    urgent = forms.BooleanField(required=False)
    comment = forms.CharField(required=False)


class RepairForm(forms.Form):
    comment = forms.CharField()
