"""Stored extractions (``ext_…``): the extraction engine applied to stored or posted mail."""
