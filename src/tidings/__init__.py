"""Tidings: a self-hostable, personalised news platform."""
