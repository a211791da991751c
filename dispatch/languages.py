"""Kept for dispatch's first migration, which names its validator here; the languages
themselves are `cooperation.languages`, shared with the courses."""

from cooperation.languages import validate_language_code

__all__ = ["validate_language_code"]
