"""Annotations on the archive: tags, notes and search, and the Datasette plugin.

The functions in `annotations.tags` and `annotations.search` are the only
place that reads or writes tags and notes; the `pagekeep` CLI and the
Datasette plugin (`annotations.plugin`) are thin layers over them.
"""

from .tags import (  # noqa: F401
    AnnotationError,
    NoSuchArticle,
    add_note,
    add_tags,
    all_tags,
    delete_note,
    notes_for,
    parse_tags,
    remove_tags,
    tags_for,
)
from .search import search  # noqa: F401
