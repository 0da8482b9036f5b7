"""Per-domain consent modes from a small config file.

The file maps domain patterns to a mode (`reject`, `accept` or `off`); the
`--consent` option stays the default for every other site. TOML or YAML:

    # ~/.config/pagekeep/consent.toml
    [domains]
    "example.com" = "accept"      # example.com and all its subdomains
    "*.shop.example" = "off"      # subdomains only, not shop.example itself
    "=news.example.org" = "reject" # exactly this host

The most specific pattern wins (exact host, then the longest domain). Where
the file is looked for: `--consent-config PATH`, else `$PAGEKEEP_CONSENT_CONFIG`,
else `$XDG_CONFIG_HOME/pagekeep/consent.toml` (or `.yaml`/`.yml`), which is
`~/.config/pagekeep/consent.toml` by default. A missing default file is not an
error; a missing file named explicitly is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

MODES = ("reject", "accept", "off")
ENV_VAR = "PAGEKEEP_CONSENT_CONFIG"


class ConsentConfigError(ValueError):
    """A config file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Rule:
    pattern: str      # as written in the file
    host: str         # lower-case domain, without "*." or "="
    kind: str         # "exact", "subdomains" or "domain" (domain and its subdomains)
    mode: str

    def matches(self, host: str) -> bool:
        if self.kind == "exact":
            return host == self.host
        if self.kind == "subdomains":
            return host.endswith("." + self.host)
        return host == self.host or host.endswith("." + self.host)

    def rank(self, host: str) -> tuple:
        return (self.kind == "exact", host == self.host, len(self.host))


@dataclass(frozen=True)
class ConsentPolicy:
    """The default mode plus per-domain overrides; `mode_for(url)` is all callers need."""

    default: str = "reject"
    rules: tuple = field(default_factory=tuple)
    source: str | None = None

    def mode_for(self, url: str | None) -> str:
        host = _host(url)
        if host and self.rules:
            hits = [r for r in self.rules if r.matches(host)]
            if hits:
                return max(hits, key=lambda r: r.rank(host)).mode
        return self.default

    def may_engage(self) -> bool:
        """False only when no page could ever get a mode other than off."""
        return self.default != "off" or any(r.mode != "off" for r in self.rules)


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _check_mode(mode, where: str) -> str:
    if not isinstance(mode, str) or mode.strip().lower() not in MODES:
        raise ConsentConfigError(f"{where}: mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode.strip().lower()


def parse_rules(mapping: dict, where: str = "consent config") -> tuple:
    if not isinstance(mapping, dict):
        raise ConsentConfigError(f"{where}: [domains] must map domain patterns to modes")
    rules = []
    for pattern, mode in mapping.items():
        p = str(pattern).strip().lower()
        if p.startswith("="):
            kind, host = "exact", p[1:]
        elif p.startswith("*."):
            kind, host = "subdomains", p[2:]
        else:
            kind, host = "domain", p.lstrip(".")
        host = host.rstrip(".")
        if "://" in host or "/" in host or not host or "*" in host:
            raise ConsentConfigError(f"{where}: {pattern!r} is not a domain pattern (use example.com, *.example.com or =www.example.com)")
        rules.append(Rule(str(pattern), host, kind, _check_mode(mode, f"{where}: {pattern}")))
    return tuple(rules)


def _read(path: Path) -> dict:
    text = path.read_text("utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConsentConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    else:
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            raise ConsentConfigError(f"{path}: TOML needs Python 3.11+; use a .yaml file instead") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConsentConfigError(f"{path}: not valid TOML ({exc})") from None
    return data or {}


def default_path() -> Path | None:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "pagekeep"
    for name in ("consent.toml", "consent.yaml", "consent.yml"):
        if (base / name).is_file():
            return base / name
    return None


def load_policy(default_mode: str = "reject", path: str | os.PathLike | None = None,
                use_default_file: bool = True) -> ConsentPolicy:
    """The policy for a run: `default_mode` (from --consent) with the file's per-domain overrides."""
    default_mode = _check_mode(default_mode, "--consent")
    explicit = path is not None or bool(os.environ.get(ENV_VAR))
    if path is None and use_default_file:
        path = default_path()
    if path is None:
        return ConsentPolicy(default_mode)
    p = Path(path).expanduser()
    if not p.is_file():
        if explicit:
            raise ConsentConfigError(f"consent config {p} does not exist")
        return ConsentPolicy(default_mode)
    try:
        data = _read(p)
    except OSError as exc:
        raise ConsentConfigError(f"cannot read consent config {p}: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ConsentConfigError(f"{p}: expected a table with a [domains] section")
    unknown = set(data) - {"domains"}
    if unknown:
        raise ConsentConfigError(f"{p}: unknown key(s) {', '.join(sorted(unknown))} (only [domains] is read)")
    return ConsentPolicy(default_mode, parse_rules(data.get("domains") or {}, str(p)), str(p))


_CACHE: dict = {}


def as_policy(mode_or_policy, config_path=None) -> ConsentPolicy:
    """Accept what callers have: a mode string (plus optional file) or a ready policy.

    Every capture asks; the file is read again only when it changed.
    """
    if isinstance(mode_or_policy, ConsentPolicy):
        return mode_or_policy
    if isinstance(config_path, ConsentPolicy):  # read once by a cluster client and sent to its workers
        return config_path
    mode = mode_or_policy or "reject"
    path = Path(config_path).expanduser() if config_path else default_path()
    try:
        stamp = path.stat().st_mtime_ns if path else None
    except OSError:
        stamp = None
    key = (mode, str(path) if path else None, stamp, config_path is not None or bool(os.environ.get(ENV_VAR)))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_policy(mode, config_path)
    return _CACHE[key]
