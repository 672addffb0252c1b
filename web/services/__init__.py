"""Services: use cases; each owns its transaction and never touches the request."""
