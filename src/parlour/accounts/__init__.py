"""Accounts (tenants, called "apps" in the server API), their API keys and end-user signing keys."""
