"""Cron schedules that start an agent (or team) session with a message."""
