"""Load a target JSON Schema from a file, with the local files it refers to.

A schema is checked against its metaschema when it is loaded, so a broken schema is an
error naming the file and the keyword, never a traceback at validation time. `$ref`s
resolve within the schema and to other local files only: a reference to a URL is an
error and nothing is ever fetched. The referenced files travel with the schema into the
project (see `SchemaBundle`), so a project validates the same on any machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import orjson

from .errors import InputError

# Metaschemas are built into the validator; refs to them are not fetched either.
_BUILTIN_PREFIXES = ("http://json-schema.org/", "https://json-schema.org/")
SUPPORTED_DRAFTS = {
    "https://json-schema.org/draft/2020-12/schema": "2020-12",
    "https://json-schema.org/draft/2019-09/schema": "2019-09",
    "http://json-schema.org/draft-07/schema": "draft-07",
    "http://json-schema.org/draft-06/schema": "draft-06",
    "http://json-schema.org/draft-04/schema": "draft-04",
}
CHECKED_FORMATS = (
    "date-time, date, time, duration, email, idn-email, hostname, idn-hostname, ipv4, ipv6, "
    "uri, uri-reference, iri, iri-reference, uri-template, uuid, json-pointer, "
    "relative-json-pointer, regex"
)


@dataclass(frozen=True)
class SchemaBundle:
    """A root schema plus every local resource it refers to, by absolute URI."""

    schema: Any
    text: str
    base_uri: str | None = None
    resources: dict[str, Any] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8"))
        for uri in sorted(self.resources):
            digest.update(uri.encode() + b"\0")
            digest.update(orjson.dumps(self.resources[uri], option=orjson.OPT_SORT_KEYS))
        return digest.hexdigest()

    def resources_json(self) -> str | None:
        return orjson.dumps(self.resources).decode() if self.resources else None


def draft_of(schema: Any) -> str:
    """The draft a schema declares; 2020-12 when it declares none."""
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if not declared:
        return "2020-12"
    return SUPPORTED_DRAFTS.get(declared.rstrip("#"), declared)


def check_schema(schema: Any, where: str) -> None:
    """Check a schema against its metaschema; name the bad keyword on failure."""
    from jsonschema import exceptions, validators

    if not isinstance(schema, (dict, bool)):
        raise InputError(f"{where}: a JSON Schema must be an object (or true/false)")
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError as exc:
        pointer = "/" + "/".join(str(p) for p in exc.absolute_path)
        raise InputError(
            f"{where}: not a valid JSON Schema: at {pointer} the keyword "
            f"{exc.validator!r} fails: {exc.message}"
        ) from None


def load_schema_file(path: Path) -> SchemaBundle:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such schema file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the schema: {exc}") from None
    schema = _parse(text, str(path))
    check_schema(schema, str(path))
    base = path.resolve().as_uri()
    resources = collect_local_resources(schema, base, where=str(path))
    return SchemaBundle(schema=schema, text=text, base_uri=base, resources=resources)


def bundle_from_store(text: str, base_uri: str | None, resources: str | None) -> SchemaBundle:
    return SchemaBundle(schema=orjson.loads(text), text=text, base_uri=base_uri,
                        resources=orjson.loads(resources) if resources else {})


def _parse(text: str, where: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: the schema is not valid JSON: {exc}") from None


def collect_local_resources(schema: Any, base_uri: str, *, where: str) -> dict[str, Any]:
    """Every file the schema reaches through `$ref` (transitively), loaded and checked.
    A reference to anything but a local file, or to a missing file, is an InputError."""
    resources: dict[str, Any] = {}
    # Fix: a referenced file without `$schema` follows the root schema's draft (as it
    # does in CompiledSchema); it was checked as 2020-12, so a draft-07 file with
    # `items: [...]` or `$id: "#name"` was refused.
    root_draft = schema.get("$schema") if isinstance(schema, dict) else None
    pending = [(schema, base_uri, where)]
    while pending:
        document, doc_base, doc_where = pending.pop()
        known = _declared_ids(document, doc_base) | {urldefrag(doc_base)[0]}
        for ref, ref_base in _refs(document, doc_base):
            target = urldefrag(urljoin(ref_base, ref))[0]
            if not target or target in known or target in resources:
                continue
            if target.startswith(_BUILTIN_PREFIXES):
                continue
            parsed = urlparse(target)
            if parsed.scheme != "file":
                raise InputError(
                    f"{doc_where}: $ref {ref!r} points to {target}; curator never fetches "
                    "schemas from the network: save it next to the schema and refer to it "
                    "by a relative path")
            file = Path(unquote(parsed.path))
            try:
                text = file.read_text(encoding="utf-8-sig")
            except OSError:
                raise InputError(f"{doc_where}: $ref {ref!r}: no such file {file}") from None
            loaded = _parse(text, str(file))
            check_schema({"$schema": root_draft, **loaded}
                         if root_draft and isinstance(loaded, dict) and "$schema" not in loaded
                         else loaded, str(file))
            resources[target] = loaded
            pending.append((loaded, target, str(file)))
    return resources


def _declared_ids(document: Any, base: str) -> set[str]:
    ids = set()
    for node, node_base in _walk(document, base):
        if isinstance(node, dict) and isinstance(node.get("$id"), str):
            ids.add(urldefrag(urljoin(node_base, node["$id"]))[0])
    return ids


def _refs(document: Any, base: str) -> list[tuple[str, str]]:
    found = []
    for node, node_base in _walk(document, base):
        if isinstance(node, dict):
            for key in ("$ref", "$dynamicRef"):
                if isinstance(node.get(key), str):
                    found.append((node[key], node_base))
    return found


def _walk(document: Any, base: str):
    """Yield (node, base URI in force at that node), following `$id` changes."""
    stack = [(document, base)]
    while stack:
        node, node_base = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                node_base = urljoin(node_base, node["$id"])
            yield node, node_base
            for key, value in node.items():
                if key in ("enum", "const", "examples", "default"):
                    continue  # data, not subschemas
                if isinstance(value, (dict, list)):
                    stack.append((value, node_base))
        elif isinstance(node, list):
            stack.extend((item, node_base) for item in node if isinstance(item, (dict, list)))


# BFCL writes function parameters in a near-JSON-Schema with Python type names. They are
# normalised on import so tools validate (and export) as standard JSON Schema.
NONSTANDARD_TYPES = {"dict": "object", "float": "number", "tuple": "array"}
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions",
                   "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains",
                  "propertyNames", "additionalItems", "unevaluatedProperties",
                  "unevaluatedItems")


def normalize_types(schema: Any, changes: set[str] | None = None) -> Any:
    """A copy of `schema` with `dict`/`float`/`tuple` types renamed to object/number/array
    and `any` dropped (no type constraint). Each change made is added to `changes`."""
    if not isinstance(schema, dict):
        return schema
    changes = changes if changes is not None else set()
    result = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, str) and (kind in NONSTANDARD_TYPES or kind == "any"):
        if kind == "any":
            del result["type"]
        else:
            result["type"] = NONSTANDARD_TYPES[kind]
        changes.add(f"{kind}→{NONSTANDARD_TYPES.get(kind, 'any type')}")
    elif isinstance(kind, list):
        renamed = [NONSTANDARD_TYPES.get(t, t) for t in kind if t != "any"]
        if renamed != kind:
            changes.update(f"{t}→{NONSTANDARD_TYPES.get(t, 'any type')}" for t in kind
                           if t in NONSTANDARD_TYPES or t == "any")
            if "any" in kind:
                result.pop("type")
            else:
                result["type"] = renamed
    for key in _SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            result[key] = {k: normalize_types(v, changes) for k, v in schema[key].items()}
    for key in _SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            result[key] = [normalize_types(v, changes) for v in schema[key]]
    for key in _SUBSCHEMA_ONE:
        value = schema.get(key)
        if isinstance(value, list):  # draft-07 tuple form of items
            result[key] = [normalize_types(v, changes) for v in value]
        elif isinstance(value, dict):
            result[key] = normalize_types(value, changes)
    return result
