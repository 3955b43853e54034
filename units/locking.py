"""Optimistic locking: an edit made on a page loaded before someone else's
change is refused rather than silently overwriting it.

Each editable object carries a ``lock_version`` counter, bumped by every
write; a form posts the counter it was shown, and the service compares
it under the row lock. Objects edited as a whole (a cycle, a tier)
compare a fingerprint of their rows instead. Either way the refusal is
one exception, ``StaleEditError``, which every view turns into the same
message. A document's or an allocation's ``version`` is something else:
the number of an upload or a draft, shown to users as "phiên bản"; it
keeps the users' word, and the lock counter is always ``lock_version``.
"""


class StaleEditError(Exception):
    """The object changed since the user loaded it; their change is refused."""


def check_lock_version(obj, expected: int | None) -> None:
    """Refuse with ``StaleEditError`` unless ``obj`` (reloaded under its row
    lock) still has the ``lock_version`` the form was shown; ``None``
    skips the check (a service called without a form)."""
    if expected is not None and obj.lock_version != expected:
        raise StaleEditError
