"""The Three-year Action Plan for the Cybersecurity Industry (2021–2023) and plans like it: goals and
indicators, observations with provenance, the enterprise register, investment shares, tasks and public
consultations."""
