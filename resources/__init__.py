"""Data files shipped with Scanspan: the default label schema and the sample letter."""
