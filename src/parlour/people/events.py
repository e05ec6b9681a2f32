"""Event types the people domain records (Sunshine Conversations webhook trigger names)."""

USER_UPDATE = "user:update"
USER_REMOVE = "user:remove"
USER_MERGE = "user:merge"
STAFF_STATUS = "staff:status"
