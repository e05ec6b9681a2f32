"""Parlour: self-hostable customer messaging."""

__version__ = "0.1.0"
