"""Agent runtime: model providers and the loop that drives them."""
