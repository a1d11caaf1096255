"""Web routes, one module per area of the UI."""
