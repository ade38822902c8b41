"""Repositories: each implements one `core.ports` protocol and translates rows to core objects and back."""
