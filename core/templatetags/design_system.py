"""Django form fields drawn as the design system's (GOV.UK Frontend) form components: which component
a field is, and its widget with the component's classes and the ids of its hint and error message."""

from django import forms, template

register = template.Library()

#: widget class -> the design system's component, subclasses before their bases (CheckboxSelectMultiple is a
#: RadioSelect in Django, a Select-like choice widget; the first match wins)
COMPONENTS = (
    (forms.CheckboxSelectMultiple, "checkboxes"),
    (forms.RadioSelect, "radios"),
    (forms.CheckboxInput, "checkbox"),
    (forms.FileInput, "file"),
    (forms.Select, "select"),
    (forms.Textarea, "textarea"),
)


@register.filter
def component(field):
    """``radios``, ``checkboxes``, ``checkbox``, ``file``, ``select``, ``textarea`` or ``input``."""
    widget = field.field.widget
    return next((name for widget_class, name in COMPONENTS if isinstance(widget, widget_class)), "input")


def described_by(field):
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


CLASSES = {"file": "govuk-file-upload", "select": "govuk-select", "textarea": "govuk-textarea", "input": "govuk-input",
           "checkbox": "govuk-checkboxes__input"}


@register.filter
def widget(field):
    """The field's widget with the component's class (``--error`` when it has errors) and aria-describedby."""
    kind = component(field)
    css = CLASSES[kind]
    if field.errors and kind in ("file", "select", "textarea", "input"):
        css += f" {css}--error"
    attrs = {"class": " ".join(filter(None, [field.field.widget.attrs.get("class"), css]))}
    ids = described_by(field)
    if ids:
        attrs["aria-describedby"] = ids
    return field.as_widget(attrs=attrs)


@register.filter
def first_input_id(field):
    """Where the error summary's link for ``field`` leads: its input, or the first of its choices."""
    if component(field) in ("radios", "checkboxes"):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.filter
def optional(field):
    """Whether the label says "(optional)": a form field may say so itself (``field.optional``) when the form
    does not require it but the service will (a mandatory document on a draft that can be saved without it)."""
    return getattr(field.field, "optional", not field.field.required)


@register.filter
def describedby(field):
    return described_by(field)


@register.inclusion_tag("breadcrumbs.html")
def breadcrumbs(*trail):
    """The design system's breadcrumbs: Home, then ``label, url`` pairs, then the current page's name (not a
    link): ``{% breadcrumbs _("Services") catalog_url version.name %}``."""
    *pairs, current = trail
    return {"links": list(zip(pairs[::2], pairs[1::2], strict=True)), "current": current}


@register.simple_tag
def page_numbers(page_obj):
    """The page numbers the pagination component lists: the first and last, the current one and its
    neighbours, and None where it skips some (drawn as an ellipsis)."""
    paginator = page_obj.paginator
    return [None if number == paginator.ELLIPSIS else number
            for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)]
