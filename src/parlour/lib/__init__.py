"""Domain-free helpers. Nothing here imports a domain package or the database layer."""
