"""Blueprints: one per feature; routes stay thin and call services."""
