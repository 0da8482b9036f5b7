"""pagekeep's Datasette plugin: the hooks only; the work is in annotations.web.

Registered through the `datasette` entry point in pyproject.toml, so plain
`datasette archive.db` picks it up too; `pagekeep serve` adds metadata.yml.
"""

from __future__ import annotations

from pathlib import Path

import datasette.handle_exception
from datasette import hookimpl

from . import changes, facets, plan, web
from .schema import ensure_indexes

TEMPLATES = str(Path(__file__).parent / "templates")

# Datasette 0.65's error handler prints every 404 with rich (locals included,
# request cookies among them) and, for URLs no route matches, calls rich
# outside an `except` block, which raises, so those requests fail with a 500
# instead of a 404. rich is installed here (pagekeep uses it for progress), so
# switch that printing off; Datasette then answers with its normal error pages.
datasette.handle_exception.rich = None


@hookimpl
def startup(datasette):
    async def inner():
        for name, db in list(datasette.databases.items()):
            if db.is_mutable and await web.is_archive(datasette, name):
                await db.execute_write_fn(ensure_indexes, block=True)
    return inner


@hookimpl
def prepare_connection(conn):
    # Queue behind a running capture's write instead of failing at once.
    conn.execute("PRAGMA busy_timeout = 15000")


@hookimpl
def prepare_jinja2_environment(env, datasette):
    # Datasette only finds templates of package plugins; this one is a module,
    # so put annotations/templates right after any --template-dir.
    searchpath = env.loader.loaders[0].searchpath
    if TEMPLATES not in searchpath:
        searchpath.insert(1 if datasette.template_dir else 0, TEMPLATES)


@hookimpl
def register_routes():
    return web.routes() + changes.routes()


@hookimpl
def register_facet_classes():
    return [facets.ArchiveFacet, facets.TagFacet]


@hookimpl
def filters_from_request(request, database, table, datasette):
    return plan.archive_filters(request, database, table, datasette)


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    if action == web.WRITE_ACTION:
        return web.write_allowed(datasette, actor, resource)
    return None


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    return web.template_vars(template, database, table, view_name, request, datasette)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return web.render_cell(value, column, table, database, datasette, row) or \
        changes.render_cell(value, column, table, database, datasette)


@hookimpl
def asgi_wrapper(datasette):
    """Give every request a CSP nonce; pages that show captured content send the policy."""
    def wrap(app):
        async def with_csp(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            state = web.new_csp_state()
            scope = {**await plan.rewrite_query(datasette, scope), "pagekeep": state}

            async def send_with_csp(event):
                if event["type"] == "http.response.start" and state["csp"]:
                    headers = [(k, v) for k, v in event.get("headers") or []
                               if k.lower() not in (b"content-security-policy", b"referrer-policy")]
                    headers += [(b"content-security-policy", web.csp_header(state)),
                                (b"x-content-type-options", b"nosniff"),
                                (b"referrer-policy", b"same-origin")]
                    event = {**event, "headers": headers}
                await send(event)

            await app(scope, receive, send_with_csp)
        return with_csp
    return wrap
