"""The support team's side: staff sessions, the agents' real-time stream and replies."""
