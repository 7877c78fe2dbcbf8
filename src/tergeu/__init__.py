"""Tergeu: electronic criminal proceedings (ERDR register and the electronic criminal case)."""

__version__ = "0.1.0"
