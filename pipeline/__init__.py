"""Handbook pipeline: structured Q&A source to localized PDF and EPUB 3."""

__version__ = "0.1.0"
