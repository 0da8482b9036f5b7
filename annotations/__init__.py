"""Annotations on the archive: tags, notes and search, and the Datasette plugin.

The functions in `annotations.tags` and `annotations.search` are the only
place that reads or writes tags and notes; the `pagekeep` CLI and the
Datasette plugin (`annotations.plugin`) are thin layers over them.
"""
