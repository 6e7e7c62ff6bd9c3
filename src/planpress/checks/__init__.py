"""Checks beyond single fields: the policy tree, glyphs in the fonts, overflow after layout."""
