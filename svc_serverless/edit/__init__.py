"""Changing a user's files in place: YAML edits that keep every line they do not change."""
