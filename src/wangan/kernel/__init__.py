"""Kernel: identity, authorization, audit, rules, clocks and notifications. Imports no domain."""
