"""``{% status_badge obj %}``: the badge of an object's status, in the
colour its model gives it (``STATUS_TONES``, status → Bootstrap colour),
so that no template decides which status is good news.

    {% load status %}
    {% status_badge allocation testid="allocation-status" %}
    {% status_badge latest_plan empty=_("Not filed") %}

``empty`` is the badge shown when there is no object at all; a status the
model gives no tone is shown in grey.
"""

from django import template
from django.utils.html import format_html

register = template.Library()

NEUTRAL = "secondary"


@register.simple_tag
def status_badge(obj, *, empty: str = "", testid: str = "") -> str:
    testid_attr = format_html(' data-testid="{}"', testid) if testid else ""
    if obj is None:
        return format_html(
            '<span class="badge text-bg-light border text-body-secondary"{}>{}</span>',
            testid_attr,
            empty,
        )
    tone = getattr(obj, "STATUS_TONES", {}).get(obj.status, NEUTRAL)
    return format_html(
        '<span class="badge text-bg-{}"{}>{}</span>', tone, testid_attr, obj.get_status_display()
    )
