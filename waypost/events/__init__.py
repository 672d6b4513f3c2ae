"""The timeline: one append-only log that everything reads from, and the bus carrying it live."""
