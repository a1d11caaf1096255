"""The background worker: deadline checks and outbox delivery. Jobs are thin and call services."""
