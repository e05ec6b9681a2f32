"""The HTTP surface: every domain's router, error mapping, health and metrics."""
