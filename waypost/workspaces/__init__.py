"""Workspaces: named groups of one user's agents, teams, sandboxes, schedules and sessions."""
