"""The permission policy in templates, so that a page asks the same
question as its view (``units.permissions``) instead of reading roles:

    {% load permissions %}
    {% if user|may_configure %}…{% endif %}
"""

from django import template

from units import permissions

register = template.Library()


@register.filter
def may_configure(user) -> bool:
    """Whether the user sets up cycles and hierarchies (administrators)."""
    return permissions.may_configure(user)
