"""Run the W3C Web Annotation test suite's MUST assertions (JSON Schema draft-04) over a document.

The suite (tests/w3c-annotation-tests, see its README) names its schemas by
bare file name (`id.json#/definitions/stringUri`); they are all resolved
against its definitions/ folder, wherever the referring file sits.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUITE = Path(__file__).parent / "w3c-annotation-tests"
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"


def _load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


@lru_cache(maxsize=None)
def _registry() -> Registry:
    """Every definition, under the bare file name the schemas use for it."""
    return Registry().with_resources(
        (path.name, Resource.from_contents(_load(path), default_specification=DRAFT4))
        for path in sorted((SUITE / "definitions").glob("*.json"))).crawl()


@lru_cache(maxsize=None)
def _assertions(manifest: str) -> list[tuple[str, Draft4Validator, bool]]:
    registry = _registry()
    out = []
    for rel in _load(SUITE / manifest)["assertions"]:
        schema = _load(SUITE / rel)
        validator = Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
        out.append((rel, validator, schema.get("expectedResult", "valid") == "valid"))
    return out


def failures(document: dict, manifest: str = ANNOTATION_MUSTS) -> list[str]:
    """The MUST assertions `document` fails (empty when it conforms)."""
    failed = []
    for rel, validator, expect_valid in _assertions(manifest):
        if validator.is_valid(document) != expect_valid:
            failed.append(f"{rel}: {validator.schema.get('errorMessage', '')}")
    return failed
