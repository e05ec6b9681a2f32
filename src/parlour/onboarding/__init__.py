"""Setting up a new account with everything it needs on day one, and the demo account."""
