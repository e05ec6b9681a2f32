"""Delivery of committed events to connected clients.

For now an in-process bus that after-commit hooks publish to; the WebSocket endpoints, resume
and Redis fan-out build on it (see docs/architecture.md).
"""
