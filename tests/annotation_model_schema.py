"""Our own JSON Schema (draft 2020-12) of the MUSTs of the W3C Web Annotation Data Model.

Written for pagekeep from the Recommendations of 23 February 2017: the Data Model
(https://www.w3.org/TR/annotation-model/, cited as §N) and the Vocabulary
(https://www.w3.org/TR/annotation-vocab/, cited as vocab §N). Each rule names the
section it encodes. Only MUSTs are enforced (plus the value forms a SHOULD property
must take when it is present); SHOULDs such as a body, a motivation, a creator or a
collection's `last` page are left to the tests of the export itself.

JSON Schema cannot compare two values, so the one paging MUST that needs it (a page
that is not the last links to the next one, §5.2) is checked in Python by `failures`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from xml.etree import ElementTree

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from rfc3986_validator import validate_rfc3986

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

# vocab §2.3.1–2.3.13: the Motivation instances the model defines (§3.3.5 lists the same).
MOTIVATIONS = ["assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
               "identifying", "linking", "moderating", "questioning", "replying", "tagging"]
SELECTORS = ["FragmentSelector", "CssSelector", "XPathSelector", "TextQuoteSelector", "TextPositionSelector",
             "DataPositionSelector", "SvgSelector", "RangeSelector"]


# ------------------------------------------------------------------ formats

def _ucschar(cp: int) -> bool:
    """RFC 3987 §2.2 ucschar: the non-ASCII code points an IRI may carry anywhere."""
    if 0xA0 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF:
        return True
    plane, low = divmod(cp, 0x10000)
    return 1 <= plane <= 13 and low <= 0xFFFD or plane == 14 and 0x1000 <= low <= 0xFFFD


def _iprivate(cp: int) -> bool:
    """RFC 3987 §2.2 iprivate: private-use code points, allowed in the query only."""
    return 0xE000 <= cp <= 0xF8FF or 0xF0000 <= cp <= 0xFFFFD or 0x100000 <= cp <= 0x10FFFD


def is_iri(value) -> bool:
    """An absolute IRI (RFC 3987, which §1.4 names): its URI mapping (RFC 3987 §3.1,
    non-ASCII characters as %-encoded UTF-8) must be an absolute URI under RFC 3986."""
    if not isinstance(value, str):
        return True  # formats only judge strings; "type" judges the rest
    query_at = value.find("?")
    mapped = []
    for i, ch in enumerate(value):
        cp = ord(ch)
        if cp < 0x80:
            mapped.append(ch)
        elif _ucschar(cp) or (_iprivate(cp) and 0 <= query_at < i):
            mapped.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            return False
    return validate_rfc3986("".join(mapped), rule="URI") is not None


# xsd:dateTime lexical form (XML Schema 1.1 part 2 §3.3.7) with the only time zone the model
# allows, UTC written "Z" (§3.3.1, §4.3.1).
XSD_DATETIME_UTC = r"^-?([1-9][0-9]{4,}|[0-9]{4})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"


def is_xsd_datetime_utc(value) -> bool:
    """The pattern above, plus a real calendar date and clock time (no 30 February, no 25:00)."""
    if not isinstance(value, str):
        return True
    if not re.match(XSD_DATETIME_UTC, value):
        return False
    if not re.match(r"^(?!0000)[0-9]{4}-", value):
        return True  # years outside 0001–9999: the lexical check above is all Python can do
    try:
        datetime.strptime(value[:10], "%Y-%m-%d")
    except ValueError:
        return False
    if value[11:19] == "24:00:00":
        return not re.search(r"\.0*[1-9]", value)  # xsd: the end of that day, with no fraction
    try:
        datetime.strptime(value[11:19], "%H:%M:%S")
    except ValueError:
        return False
    return True


def is_svg(value) -> bool:
    """§4.2.7: well-formed XML whose root is an SVG element."""
    if not isinstance(value, str):
        return True
    try:
        root = ElementTree.fromstring(value)
    except ElementTree.ParseError:
        return False
    return root.tag in ("svg", "{http://www.w3.org/2000/svg}svg")


def format_checker() -> FormatChecker:
    """Checks our formats, and only them, so none silently passes for want of a library."""
    checker = FormatChecker(formats=())
    checker.checks("iri")(is_iri)
    checker.checks("xsd-dateTime-utc")(is_xsd_datetime_utc)
    checker.checks("svg-xml")(is_svg)
    return checker


# ------------------------------------------------------------------ building blocks

IRI = {"type": "string", "format": "iri"}
DATETIME = {"type": "string", "pattern": XSD_DATETIME_UTC, "format": "xsd-dateTime-utc"}
NON_NEGATIVE_INTEGER = {"type": "integer", "minimum": 0}   # xsd:nonNegativeInteger
STRING = {"type": "string"}
# A property that must not be there ({"not": {}} rather than false, whose errors lose their path).
# A "$comment" on a rule is what `failures` says when that rule's not/anyOf fails.
ABSENT = {"not": {}, "$comment": "must not be present here"}


def ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def one_or_more(item: dict) -> dict:
    """A property that may have several values: one value, or a non-empty array of them."""
    return {"if": {"type": "array"}, "then": {"minItems": 1, "items": item}, "else": item}


def iri_or(obj: dict) -> dict:
    """§1.4 Relationship: the IRI of the resource, or an object describing it."""
    return {"if": {"type": "string"}, "then": IRI, "else": obj}


IDENTIFIED = {"type": "object", "required": ["id"], "properties": {"id": IRI}}
RESOURCE = iri_or({"type": "object"})


def has_type(cls: str) -> dict:
    """Condition (for `if`): the object's type is, or includes, `cls`."""
    return {"required": ["type"],
            "properties": {"type": {"anyOf": [{"const": cls}, {"type": "array", "contains": {"const": cls}}]}}}


def types_including(cls: str) -> dict:
    """'MUST have 1 or more types, and the `cls` class MUST be one of them.'"""
    return {"if": {"type": "array"}, "then": {"minItems": 1, "items": STRING, "contains": {"const": cls}},
            "else": {"const": cls}}


def exactly_type(cls: str) -> dict:
    """'MUST have exactly 1 type and the value MUST be `cls`.'"""
    return {"if": {"type": "array"}, "then": {"minItems": 1, "maxItems": 1, "items": {"const": cls}},
            "else": {"const": cls}}


def context(single_must_be_string: bool) -> dict:
    """'MUST have 1 or more @context values and http://www.w3.org/ns/anno.jsonld MUST be one of
    them' (§3.1, §5.1, §5.2); for an Annotation, 'if there is only one value, then it MUST be
    provided as a string' (§3.1)."""
    array = {"minItems": 2 if single_must_be_string else 1, "contains": {"const": ANNO_CONTEXT},
             "items": {"type": ["string", "object"]}}
    return {"if": {"type": "array"}, "then": array, "else": {"const": ANNO_CONTEXT}}


def dispatch(classes: list[str]) -> list[dict]:
    """One rule set per declared class: the class's own MUSTs apply when its type says so."""
    return [{"if": has_type(cls), "then": ref(cls)} for cls in classes]


# ------------------------------------------------------------------ the schema

def _annotation_defs() -> dict:
    return {
        "Annotation": {
            "$ref": "#/$defs/AnnotationInPage",
            "required": ["@context"],                                     # §3.1 @context
        },
        # An Annotation as an item of an embedded page (§5.2), where the @context is the page's.
        "AnnotationInPage": {
            "type": "object",
            "required": ["id", "type", "target"],    # §3.1: exactly 1 id, 1+ types, 1+ targets
            "properties": {
                "@context": context(single_must_be_string=True),          # §3.1 @context
                "id": IRI,                                               # §3.1 id: exactly 1 IRI
                "type": types_including("Annotation"),                   # §3.1 type
                "target": one_or_more(ref("Target")),                    # §3.1 target: 1 or more
                "body": one_or_more(ref("Body")),                        # §3.1 body: 0 or more
                "bodyValue": STRING,                                     # §3.2.5 a single xsd:string
                "created": DATETIME,                                     # §3.3.1 at most 1, xsd:dateTime, "Z"
                "modified": DATETIME,                                    # §3.3.1
                "generated": DATETIME,                                   # §3.3.1
                "creator": one_or_more(ref("Agent")),                    # §3.3.1 / §3.3.2
                "generator": one_or_more(ref("Agent")),                  # §3.3.1 / §3.3.2
                "audience": one_or_more(ref("Audience")),                # §3.3.3
                "motivation": one_or_more(ref("Motivation")),            # §3.3.5
                "rights": one_or_more(IRI),                              # §3.3.6 each an IRI
                "canonical": IRI,                                        # §3.3.7 at most 1 IRI
                "via": one_or_more(IRI),                                 # §3.3.7
                "stylesheet": ref("Stylesheet"),                         # §4.4 0 or 1 stylesheet
            },
            "not": {"required": ["body", "bodyValue"]},                  # §3.2.5 body and bodyValue never together
            "$comment": "body and bodyValue together (§3.2.5)",
        },
        # vocab §2.3 named instances; a new Motivation MUST be an oa:Motivation (vocab App. C),
        # which JSON-LD can only name by its IRI.
        "Motivation": {"anyOf": [{"enum": MOTIVATIONS}, IRI],
                       "$comment": "neither a motivation of the vocabulary nor an IRI (§3.3.5, vocab §2.3, App. C)"},
        # §3.3.2: an Agent SHOULD have exactly 1 IRI and MUST NOT have more than 1;
        # email uses the mailto: IRI scheme.
        "Agent": iri_or({"type": "object", "properties": {
            "id": IRI,
            "email": one_or_more({**IRI, "pattern": "^mailto:"}),
            "homepage": one_or_more(IRI),
        }}),
        # §3.3.3: schema.org's Audience properties and classes MUST carry the schema: prefix.
        "Audience": iri_or({"type": "object",
                            "propertyNames": {"anyOf": [{"enum": ["id", "type"]}, {"pattern": "^schema:"}],
                                              "$comment": "an audience property without schema: (§3.3.3)"},
                            "properties": {"id": IRI, "type": one_or_more({**STRING, "pattern": "^schema:"})}}),
        # §4.4: the stylesheet is an IRI or embedded; if it has a type, it MUST be CssStylesheet.
        "Stylesheet": iri_or({"type": "object", "properties": {"id": IRI, "type": exactly_type("CssStylesheet")}}),
    }


def _resource_defs() -> dict:
    return {
        # §3.2: the Target is always an External Web Resource (possibly via a SpecificResource, §4).
        "Target": iri_or({"type": "object",
                          "allOf": [{"not": has_type("TextualBody"), "$comment": "a target is not embedded text (§3.2)"}],
                          "if": {"required": ["source"]}, "then": ref("SpecificResource"),
                          "else": ref("ExternalWebResource")}),
        # §3.2: a Body is an External Web Resource, an embedded TextualBody (§3.2.4),
        # a Choice (§3.2.7) or a SpecificResource (§4).
        "Body": iri_or({"type": "object",
                        "if": has_type("Choice"), "then": ref("Choice"),
                        "else": {"if": {"required": ["source"]}, "then": ref("SpecificResource"),
                                 "else": {"if": {"anyOf": [has_type("TextualBody"), {"required": ["value"]}]},
                                          "then": ref("TextualBody"), "else": ref("ExternalWebResource")}}}),
        # Properties any Body or Target may carry, with the value forms the model requires.
        "ResourceProperties": {"type": "object", "properties": {
            "id": IRI,                                                   # §3.2.1, §3.2.4, §4: at most 1 IRI
            "textDirection": {"enum": ["ltr", "rtl", "auto"]},           # §3.2.1 MUST be one of these
            "processingLanguage": STRING,                                # §3.2.1 at most 1
            "created": DATETIME,                                         # §3.3.1 (Body)
            "modified": DATETIME,                                        # §3.3.1 (Body)
            "creator": one_or_more(ref("Agent")),                        # §3.3.1 (Body)
            "purpose": one_or_more(ref("Motivation")),                   # §3.3.5, §4.1
            "rights": one_or_more(IRI),                                  # §3.3.6 each an IRI
            "canonical": IRI,                                            # §3.3.7 at most 1 IRI
            "via": one_or_more(IRI),                                     # §3.3.7
        }},
        "ExternalWebResource": {"$ref": "#/$defs/ResourceProperties",
                                "required": ["id"]},                     # §3.2.1 exactly 1 id, its IRI
        "TextualBody": {"$ref": "#/$defs/ResourceProperties",
                        "required": ["value"],                           # §3.2.4 exactly 1 value
                        "properties": {"value": STRING}},
        "Choice": {"type": "object", "required": ["type", "items"],      # §3.2.7; vocab §2.1.2 as:items
                   "properties": {"id": IRI,                             # §3.2.7 at most 1 IRI
                                  "type": exactly_type("Choice"),        # §3.2.7 exactly 1 type, Choice
                                  "items": {"type": "array", "items": ref("Body")}}},
        "SpecificResource": {
            "$ref": "#/$defs/ResourceProperties",
            "required": ["source"],                                      # §4 exactly 1 source
            "properties": {
                "source": iri_or(ref("ExternalWebResource")),            # §4 its IRI, or described with its id
                "selector": one_or_more(ref("Selector")),                # §4.2
                "state": one_or_more(ref("State")),                      # §4.3
                "styleClass": one_or_more(STRING),                       # §4.4; vocab §2.2.25 xsd:string
                "renderedVia": one_or_more(RESOURCE),                    # §4.5 a relationship
                "scope": one_or_more(RESOURCE),                          # §4.6 a relationship
            },
        },
    }


def _selector_defs() -> dict:
    return {
        # §4.2: a Selector is given by IRI or embedded; its class's rules apply by its type;
        # §4.2.9: any Selector MAY be refinedBy 1 or more Selectors.
        "Selector": iri_or({"type": "object",
                            "properties": {"refinedBy": one_or_more(ref("Selector"))},
                            "allOf": dispatch(SELECTORS)}),
        "FragmentSelector": {"required": ["value"], "properties": {     # §4.2.1 exactly 1 value
            "type": exactly_type("FragmentSelector"),                    # §4.2.1
            "value": STRING,
            "conformsTo": IRI}},                                         # §4.2.1 at most 1, a link (IRI)
        "CssSelector": {"required": ["value"], "properties": {           # §4.2.2 exactly 1 value
            "type": exactly_type("CssSelector"), "value": STRING}},
        "XPathSelector": {"required": ["value"], "properties": {         # §4.2.3 exactly 1 value
            "type": exactly_type("XPathSelector"), "value": STRING}},
        "TextQuoteSelector": {"required": ["exact"], "properties": {     # §4.2.4 exactly 1 exact
            "type": exactly_type("TextQuoteSelector"),                   # §4.2.4
            "exact": STRING,                                             # vocab §2.2.6 xsd:string
            "prefix": STRING,                                            # §4.2.4 at most 1; vocab §2.2.17
            "suffix": STRING}},                                          # §4.2.4 at most 1; vocab §2.2.27
        "TextPositionSelector": {"required": ["start", "end"], "properties": {   # §4.2.5 exactly 1 each
            "type": exactly_type("TextPositionSelector"),                # §4.2.5
            "start": NON_NEGATIVE_INTEGER,                               # §4.2.5 non-negative integer
            "end": NON_NEGATIVE_INTEGER}},                               # §4.2.5 non-negative integer
        "DataPositionSelector": {"required": ["start", "end"], "properties": {   # §4.2.6 exactly 1 each
            "type": exactly_type("DataPositionSelector"),                # §4.2.6
            "start": NON_NEGATIVE_INTEGER,                               # vocab §2.2.24 xsd:nonNegativeInteger
            "end": NON_NEGATIVE_INTEGER}},                               # vocab §2.2.5 xsd:nonNegativeInteger
        "SvgSelector": {"properties": {
            "type": exactly_type("SvgSelector"),                         # §4.2.7
            "value": {**STRING, "format": "svg-xml"}}},                  # §4.2.7 at most 1, well-formed SVG
        "RangeSelector": {"required": ["startSelector", "endSelector"], "properties": {  # §4.2.8 exactly 1 each
            "type": exactly_type("RangeSelector"),                       # §4.2.8
            "startSelector": ref("Selector"),
            "endSelector": ref("Selector")}},
    }


def _state_defs() -> dict:
    return {
        # §4.3: a State is given by IRI or embedded; §4.3.3: refinedBy States or Selectors.
        "State": iri_or({"type": "object",
                         "properties": {"refinedBy": one_or_more(ref("StateOrSelector"))},
                         "allOf": dispatch(["TimeState", "HttpRequestState"])}),
        "StateOrSelector": {"if": {"anyOf": [has_type(cls) for cls in SELECTORS]},
                            "then": ref("Selector"), "else": ref("State")},
        "TimeState": {
            "properties": {
                "type": exactly_type("TimeState"),                       # §4.3.1
                "sourceDate": one_or_more(DATETIME),                     # §4.3.1 xsd:dateTime, "Z"
                "sourceDateStart": DATETIME,                             # §4.3.1 at most 1, xsd:dateTime, "Z"
                "sourceDateEnd": DATETIME,                               # §4.3.1 at most 1, xsd:dateTime, "Z"
                "cached": one_or_more(RESOURCE),                         # §4.3.1 a relationship
            },
            # §4.3.1: sourceDateStart and sourceDateEnd come together ...
            "dependentRequired": {"sourceDateStart": ["sourceDateEnd"], "sourceDateEnd": ["sourceDateStart"]},
            # ... and never with sourceDate.
            "if": {"required": ["sourceDate"]},
            "then": {"properties": {"sourceDateStart": ABSENT, "sourceDateEnd": ABSENT}},
        },
        "HttpRequestState": {"required": ["value"], "properties": {      # §4.3.2 exactly 1 value
            "type": exactly_type("HttpRequestState"),                    # §4.3.2
            "value": STRING}},
    }


def _collection_defs() -> dict:
    return {
        "AnnotationCollection": {
            "type": "object",
            "required": ["@context", "id", "type"],                      # §5.1
            "properties": {
                "@context": context(single_must_be_string=False),        # §5.1 @context
                "id": IRI,                                               # §5.1 exactly 1 IRI
                "type": types_including("AnnotationCollection"),         # §5.1 type
                "label": one_or_more(STRING),                            # §5.1 the value MUST be a string
                "total": NON_NEGATIVE_INTEGER,                           # §5.1 xsd:nonNegativeInteger
                "first": iri_or(ref("EmbeddedAnnotationPage")),          # §5.1 exactly 1: embedded or its IRI
                "last": iri_or(IDENTIFIED),                              # §5.1 (SHOULD) a reference to the last page
                "created": DATETIME,                                     # §3.3.1 on any resource: xsd:dateTime, "Z"
                "modified": DATETIME,                                    # §3.3.1
                "creator": one_or_more(ref("Agent")),                    # §3.3.1 / §3.3.2
                "rights": one_or_more(IRI),                              # §3.3.6 each an IRI
            },
            # §5.1: a Collection with more than 0 Annotations MUST have a first page.
            "if": {"required": ["total"], "properties": {"total": {"exclusiveMinimum": 0}}},
            "then": {"required": ["first"]},
        },
        "EmbeddedAnnotationPage": {
            "type": "object",
            "required": ["id", "type", "items"],                         # §5.2
            "properties": {
                "@context": context(single_must_be_string=False),        # §5.2 (SHOULD NOT when embedded)
                "id": IRI,                                               # §5.2 exactly 1 IRI
                "type": types_including("AnnotationPage"),               # §5.2 type
                "partOf": iri_or(IDENTIFIED),                            # §5.2 the Collection's IRI, or it with its id
                "items": {"type": "array", "minItems": 1,                # §5.2 an array of 1 or more Annotations
                          "items": ref("AnnotationInPage")},
                "next": iri_or(IDENTIFIED),                              # §5.2 a reference to the next page
                "prev": iri_or(IDENTIFIED),                              # §5.2 a reference to the previous page
                "startIndex": NON_NEGATIVE_INTEGER,                      # §5.2 at most 1, xsd:nonNegativeInteger
            },
        },
        "AnnotationPage": {"$ref": "#/$defs/EmbeddedAnnotationPage",
                           "required": ["@context"]},                    # §5.2 a page on its own has @context
    }


@lru_cache(maxsize=None)
def schema() -> dict:
    """The whole schema; `$ref` one of its $defs (Annotation, AnnotationCollection, AnnotationPage)."""
    defs = {**_annotation_defs(), **_resource_defs(), **_selector_defs(), **_state_defs(), **_collection_defs()}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://pagekeep.invalid/schemas/web-annotation-musts",
            "title": "W3C Web Annotation Data Model: the MUSTs (pagekeep's encoding)",
            "$defs": defs}


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    """A validator of one kind of document ("Annotation", "AnnotationCollection", "AnnotationPage")."""
    whole = schema()
    Draft202012Validator.check_schema(whole)
    return Draft202012Validator({**whole, "$ref": f"#/$defs/{kind}"}, format_checker=format_checker())


# ------------------------------------------------------------------ checking a document

def _where(error: ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(document)"


def _reason(error: ValidationError) -> str:
    if error.validator in ("not", "anyOf") and isinstance(error.schema, dict) and "$comment" in error.schema:
        return error.schema["$comment"]
    return error.message


def _next_page_failures(collection: dict) -> list[str]:
    """§5.2: 'If the current page is not the last page in the Collection, it MUST have a
    reference to the IRI of the page that follows it.' A page is known not to be the last when
    the collection's `last` names another page, or when fewer annotations than `total` sit
    up to its end."""
    first = collection.get("first")
    if not isinstance(first, dict) or "next" in first:
        return []
    last = collection.get("last")
    last_id = last.get("id") if isinstance(last, dict) else last
    items = first.get("items") if isinstance(first.get("items"), list) else []
    up_to_end = (first.get("startIndex") or 0) + len(items)
    total = collection.get("total")
    if (last_id is not None and last_id != first.get("id")) or (isinstance(total, int) and up_to_end < total):
        return ["first: a page before the last one has no next (§5.2)"]
    return []


def failures(document: dict, kind: str = "Annotation") -> list[str]:
    """The MUSTs `document` breaks, one 'path: reason' line each (empty when it conforms)."""
    out = [f"{_where(e)}: {_reason(e)}" for e in validator(kind).iter_errors(document)]
    if kind == "AnnotationCollection" and isinstance(document, dict):
        out += _next_page_failures(document)
    return out
