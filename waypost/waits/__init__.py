"""Waits: the next matching email in an inbox, resolved by push, never by polling."""
