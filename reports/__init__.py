"""Printed documents and exports: invitations, delegate lists, reports.
Its exporters arrive with the documents issue."""
