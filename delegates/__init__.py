"""Delegates, quotas and elections: who attends each conference and who is
elected upward.

Five sub-domains: **people** (the staff register, emulation titles, the
import and carrying of a register), **delegates** (delegate lists,
categories, caps, official lists and their suggestions, composition),
**quotas** (the allocation of elected seats), **elections** (electing
delegates to the tier above), **check-in** (at the door). Each layer is a
package with one module per sub-domain (none where a sub-domain has
nothing of that layer):

- ``models/``: ``people``, ``delegates``, ``quotas``, ``elections``;
  ``models/__init__`` lists every model (``from delegates.models import
  Person``).
- ``services/`` (writes: keyword-only with ``actor``, one transaction
  each): ``people``, ``delegates``, ``quotas``, ``elections``,
  ``replacements`` (of the delegates a confirmed election elected),
  ``checkin``.
- ``selectors/`` (reads and the pages' read-models): ``people``,
  ``delegates`` (with the composition loads), ``suggestions`` (the
  official delegates the app suggests), ``quotas``, ``elections``,
  ``checkin``; and the pages' read-models (``election_page`` with its
  ``candidate_picker``, ``allocation_page``, ``todo``). Selectors import
  no service.
- ``forms/``: ``people``, ``delegates``, ``quotas``, ``elections``.
- ``views/`` and ``urls/``: ``people``, ``delegates``, ``quotas``,
  ``elections``, ``checkin`` (the check-in patterns are included in the
  ``delegates:`` namespace).

Pure modules stay at the top, without queries (they import the models'
choices at most): ``apportionment`` (the exact arithmetic of sharing
seats), ``quota_terms`` (tie rules, decisions, fractions as text),
``election_count`` (counting votes), ``composition`` (tallies, balance,
bar charts), ``official_lists`` (the official lists as data), ``names``
(Vietnamese name order), ``people_import`` (the register's workbook),
``checkin_codes`` (codes and times as text). Also at the top: ``demo``
(demonstration data for the management command). The workbooks and PDFs
of these pages are the ``reports`` app's exporters. The directions are checked by
``lint-imports`` (pyproject.toml).
"""
