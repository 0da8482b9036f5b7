"""Browser-side scripts shipped as files in capture/js/."""

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=None)
def script(name: str) -> str:
    return files("capture").joinpath("js", name).read_text("utf-8")
