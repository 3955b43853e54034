"""The conferences app: cycles and their tiers, conferences and their
documents, organisation plans, papers and communication, the progress
board and calendar, deadline reminders."""
