"""The Provisions on the Management of Network Product Security Vulnerabilities (2021)."""
