"""The transactional outbox: events recorded by actions in their own transaction.

The `events` table is the durable log that real-time delivery replays from and that webhook
fan-out consumes (`webhooks_pending`). Published to the in-process bus only after commit.
"""
