"""Conversations, participants, messages and activities (typing, read)."""
