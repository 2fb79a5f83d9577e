"""Hearth: an anonymous peer-support chat and forum server for people in recovery."""

__version__ = "0.1.0"
