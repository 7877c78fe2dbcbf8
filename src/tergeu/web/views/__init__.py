"""Views of the web UI, one module per area; they call services and never write models."""
