"""Event types this domain records (Sunshine Conversations webhook trigger names)."""

PASS_CONTROL = "switchboard:passControl"  # noqa: S105 - an event name
OFFER_CONTROL = "switchboard:offerControl"
ACCEPT_CONTROL = "switchboard:acceptControl"
RELEASE_CONTROL = "switchboard:releaseControl"
