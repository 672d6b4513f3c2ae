"""Replay that acts: retry a session's workflows, re-execute an agent session from its
record, fork a session at a step (see waypost.replay.service)."""
