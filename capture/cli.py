"""The `pagekeep` command: a thin typer layer over capture and annotations."""

from __future__ import annotations

import typer

from . import browser as browser_mod

app = typer.Typer(
    help="Capture web articles faithfully into SQLite; browse, tag and search them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main():
    """Capture web articles faithfully into SQLite; browse, tag and search them."""


@app.command("browser")
def browser_cmd(
    install: bool = typer.Option(False, "--install", help="Install a Chromium if none is found."),
):
    """Show which Chromium pagekeep will use (and install one with --install)."""
    try:
        if install:
            browser_mod.install_chromium(echo=typer.echo)
        else:
            found = browser_mod.find_chromium()
            typer.echo(f"{found.source} Chromium at {found.path}")
    except browser_mod.BrowserNotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
