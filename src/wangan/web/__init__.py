"""The server-rendered web UI adapter."""
