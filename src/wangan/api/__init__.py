"""The JSON API adapter (``/api/v1``)."""
