"""Custom integrations' webhooks: subscriptions, fan-out of recorded events, signed delivery."""
