"""Moderation for Hearth: the crisis-language detector and, later, flags and queues."""
