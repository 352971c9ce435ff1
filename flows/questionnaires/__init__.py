"""Packaged questionnaire files (one YAML per questionnaire id)."""
