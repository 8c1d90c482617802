"""The HTTP API (FastAPI): parses requests, checks permissions and calls the same domain services as the
command line. ``create_app`` builds it; ``gouvernance serve`` runs it with uvicorn."""
