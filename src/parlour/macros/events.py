"""Macros record no events: applying one records the ticket's own events."""
