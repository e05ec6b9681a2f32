"""The customer's side: the client API (REST + WebSocket) that the web widget and SDKs speak."""
