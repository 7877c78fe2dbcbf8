"""Management commands of the integrity app."""
