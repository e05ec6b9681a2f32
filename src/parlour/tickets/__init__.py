"""Tickets: the agent workspace's unit of work, created when a conversation is handed to agents.

Also the agent-workspace integration of the switchboard (`workspace.py`).
"""
