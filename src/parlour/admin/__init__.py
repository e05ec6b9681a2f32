"""The admin center API: account, staff, groups, channel, keys, webhooks, macros (admins only)."""
