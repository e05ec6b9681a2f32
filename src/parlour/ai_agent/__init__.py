"""The AI agent: first responder on new conversations, answer flows, handoff and handback."""
