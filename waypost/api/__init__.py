"""The HTTP layer: thin FastAPI routers over the services."""
