"""Atomic workflows: create-inbox-and-wait and signup (seed 001)."""
