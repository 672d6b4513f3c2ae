"""Webhooks (issue 17): signed, retried deliveries of a user's events to HTTP endpoints.

``outbox`` writes delivery rows in the event's own transaction, ``sender`` claims and
sends them, ``service`` is the CRUD the API calls, ``payload`` builds the bodies,
``signing`` and ``targets`` hold the Standard Webhooks signature and the URL safety rules.
"""
