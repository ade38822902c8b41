"""Every table the migrations manage. Importing this module registers each model module with `Base.metadata`."""

from __future__ import annotations

from storage import models, models_bot, models_delivery, models_lti, models_notes

metadata = models.Base.metadata

__all__ = ["metadata", "models", "models_bot", "models_delivery", "models_lti", "models_notes"]
