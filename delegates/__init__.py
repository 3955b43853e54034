"""Delegates, quotas and elections: who attends each conference and who is
elected upward. Its models arrive with the delegates issue."""
