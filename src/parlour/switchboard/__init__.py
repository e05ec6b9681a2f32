"""The switchboard: which integration answers a conversation (AI agent, agent workspace, custom
bots), and the passControl / offerControl / acceptControl / releaseControl actions."""
