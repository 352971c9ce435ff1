"""Packaged data shared by every questionnaire: interface words and languages."""
