"""An article's web archive on its record page: the "Archived page" view and the WACZ download.

The view only frames the replay host (replay_host.py), which `pagekeep serve`
runs on another origin; nothing from the archive is ever served as a page on
Datasette's own origin. The download is an attachment, never rendered.
"""

from __future__ import annotations

import sqlite3

from datasette.utils.asgi import Response

from . import replay_assets, replay_host


async def archive_row(db, article_id: int) -> dict | None:
    """Size and counts of the article's WACZ, or None when it was captured without --archive."""
    def read(conn):
        try:
            row = conn.execute("select bytes, resources, truncated, missing from archives where article_id = ?",
                               [article_id]).fetchone()
        except sqlite3.OperationalError:  # an archive from before the archives table, opened read-only
            return None
        return dict(zip(("bytes", "resources", "truncated", "missing"), row)) if row else None
    return await db.execute_fn(read)


def replay_origin(datasette, database: str) -> str | None:
    return (datasette.plugin_config("pagekeep", database=database) or {}).get("replay_origin")


async def for_record(datasette, database: str, article_id: int, download_url: str) -> dict | None:
    """What the record page needs: counts, the download link, and the replay frame (or why there is none)."""
    row = await archive_row(datasette.databases[database], article_id)
    if row is None:
        return None
    origin = replay_origin(datasette, database)
    info = {**row, "download_url": download_url, "replay_src": None, "replay_origin": origin, "why_not": None}
    if not origin:
        info["why_not"] = "Replay needs `pagekeep serve`, which serves it from a second origin."
    elif not replay_assets.installed():
        info["why_not"] = "ReplayWeb.page is not installed here: run scripts/setup.sh."
    else:
        info["replay_src"] = f"{origin}/view/{replay_host.sign(datasette, database, article_id)}"
    return info


async def download(db, article_id: int) -> Response:
    if "archives" not in await db.table_names():
        return Response.text("This article has no web archive", status=404)
    rows = (await db.execute("select wacz, sha256 from archives where article_id = ?", [article_id])).rows
    if not rows:
        return Response.text("This article has no web archive", status=404)
    return Response(bytes(rows[0]["wacz"]), status=200, content_type="application/wacz", headers={
        "Content-Disposition": f'attachment; filename="{article_id}.wacz"',
        "ETag": f'"{rows[0]["sha256"][:32]}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
