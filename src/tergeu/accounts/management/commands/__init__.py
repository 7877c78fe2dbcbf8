"""Commands: ``tergeu manage <command>``."""
