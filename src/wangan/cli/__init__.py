"""The command-line adapter (``wangan``)."""
