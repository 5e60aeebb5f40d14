"""Tagalog (Philippines)."""
