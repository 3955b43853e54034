"""``{% ask_document %}``: the button that asks for a document, with the
document's parameters as hidden fields, posted to ``reports:job_create``."""

from django import template

register = template.Library()


@register.inclusion_tag("reports/_ask_document.html", takes_context=True)
def ask_document(context, exporter: str, label: str, css: str = "btn-outline-secondary", **params):
    """E.g. ``{% ask_document "delegate_list_pdf" _("Delegate list (PDF)")
    conference=conference.pk %}``; empty parameters are left out."""
    request = context.get("request")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "exporter": exporter,
        "label": label,
        "css": css,
        "params": {name: value for name, value in params.items() if value not in (None, "")},
        "next": request.get_full_path() if request is not None else "",
    }
