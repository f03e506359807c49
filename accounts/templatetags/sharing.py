from django import template

from .. import sharing
from ..forms import ShareForm
from ..selectors import shares_of

register = template.Library()


@register.inclusion_tag("accounts/sharing_panel.html", takes_context=True)
def sharing_panel(context, obj):
    """Who ``obj`` is shared with by name, with a form to share it and a button to take each
    access back; drawn only for those who may share it (the heads of its organisation, admins)."""
    request = context["request"]
    if not sharing.may_share(request.user, obj):
        return {"shown": False}
    return {"shown": True, "obj": obj, "label": sharing.label_of(obj), "shares": shares_of(obj),
            "share_form": ShareForm()}
