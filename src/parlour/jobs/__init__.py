"""Durable background work.

`queue` (imported by domain actions) enqueues jobs in the caller's transaction; `worker` claims
due jobs with a lease, so a job whose worker died is taken again once the lease runs out;
`kinds` holds one module per job kind, each an idempotent handler.
"""
