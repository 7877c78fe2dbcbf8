"""Allocation: who gets a report or case: territory, jurisdiction, specialisation, load."""
