"""Sessions: the unit a person or program follows, and its timeline."""
