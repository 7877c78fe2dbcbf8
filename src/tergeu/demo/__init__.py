"""Deterministic demo data: two regions, their bodies, one user per role and a few hundred
cases in every stage, made through the services so the UI looks like a working office.

Run it with ``tergeu demo``; the entry point is :func:`tergeu.demo.seed.seed`.
"""
