"""pagekeep's capture pipeline: URL → render → settle → consent → extract → screenshots → store."""

__version__ = "0.1.0"
