"""The Measures for Cybersecurity Review: screening, review cases, working-day clocks, risk factors,
supplier commitments and post-review supervision."""
