"""Views: core objects in, Adaptive Card JSON (schema 1.5, `Action.Execute` with verbs) out.

Cards carry ids only in their action data; everything shown comes from the objects passed in."""

from adaptive_cards.elements import Card

__all__ = ["Card"]
