"""Views of the congress app, one module per area; each view is thin:
parse, check permission, call a service or selector, render."""
