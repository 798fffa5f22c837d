"""The official JSON-Schema-Test-Suite (draft2020-12 and draft7) through
`curator.validation.CompiledSchema`: `is_valid` must match each test's `valid`, and
`issues` must be empty exactly when it is valid.

Conventions of the suite that this harness applies (they are the suite's, not curator's):
- Remote `$ref`s to http://localhost:1234/... are the files under `remotes/`, given as
  `resources`. A remote under `remotes/<draft>/` is a document of that draft: the ones
  that do not say so get that draft's `$schema`.
- The draft7 test schemas declare no `$schema` (curator would read them as 2020-12), so
  the harness adds the draft-07 one to each.
- Required tests run with formats off (`format` is an annotation there); the tests under
  `optional/format/` run with formats asserted, as curator does by default. The rest of
  `optional/` runs with formats off, and its differences are listed in KNOWN.
"""

from __future__ import annotations

import json

import pytest

from curator.errors import InputError
from curator.validation import CompiledSchema
from tests.conftest import SHARED_DATA

SUITE = SHARED_DATA / "json-schema-test-suite"
TESTS = SUITE / "tests"
DRAFTS = {"draft2020-12": "https://json-schema.org/draft/2020-12/schema",
          "draft7": "http://json-schema.org/draft-07/schema#"}
FILES = sorted(p.relative_to(TESTS).as_posix()
               for draft in DRAFTS for p in (TESTS / draft).rglob("*.json")) \
    if TESTS.is_dir() else []

_MISSING_2019_09 = ("needs the draft2019-09 remotes (remotes/draft2019-09/), which were not "
                    "copied into shared/data; curator never fetches, so the schema cannot be "
                    "compiled")
_VOCABULARY = ("jsonschema-rs does not switch format assertion on or off from a custom "
               "metaschema's $vocabulary (format-assertion); with formats=True, curator's "
               "default, the invalid string is rejected")

# "file :: group :: test" ("*" for a whole group that cannot be compiled) -> reason
KNOWN: dict[str, str] = {
    "draft2020-12/optional/cross-draft.json :: refs to historic drafts are processed as "
    "historic drafts :: *": _MISSING_2019_09,
    "draft7/optional/cross-draft.json :: refs to future drafts are processed as future "
    "drafts :: *": _MISSING_2019_09,
    "draft2020-12/optional/format-assertion.json :: schema that uses custom metaschema "
    "with format-assertion: false :: format-assertion: false: invalid string": _VOCABULARY,
    "draft2020-12/optional/format-assertion.json :: schema that uses custom metaschema "
    "with format-assertion: true :: format-assertion: true: invalid string": _VOCABULARY,
}


def _with_draft(document, draft: str):
    if isinstance(document, dict) and "$schema" not in document:
        return {"$schema": DRAFTS[draft], **document}
    return document


@pytest.fixture(scope="module")
def remotes() -> dict:
    if not SUITE.is_dir():
        pytest.skip(f"shared data not found at {SUITE}")
    resources = {}
    for path in sorted((SUITE / "remotes").rglob("*.json")):
        relative = path.relative_to(SUITE / "remotes").as_posix()
        document = json.loads(path.read_text(encoding="utf-8"))
        top = relative.split("/")[0]
        if top in DRAFTS:
            document = _with_draft(document, top)
        resources["http://localhost:1234/" + relative] = document
    return resources


def run_file(relative: str, remotes: dict) -> tuple[int, dict[str, str]]:
    """(number of cases run, {"file :: group :: test": what differed})."""
    draft = relative.split("/")[0]
    formats = "/optional/format/" in relative
    groups = json.loads((TESTS / relative).read_text(encoding="utf-8"))
    ran, mismatches = 0, {}
    for group in groups:
        schema = group["schema"]
        if draft == "draft7":
            schema = _with_draft(schema, draft)
        try:
            compiled = CompiledSchema(schema, resources=remotes, formats=formats)
        except InputError as exc:
            ran += len(group["tests"])
            mismatches[f"{relative} :: {group['description']} :: *"] = f"compile: {exc}"
            continue
        for test in group["tests"]:
            ran += 1
            key = f"{relative} :: {group['description']} :: {test['description']}"
            try:
                verdict = compiled.is_valid(test["data"])
                issues = compiled.issues(test["data"])
            except Exception as exc:  # a crash is a mismatch too, not a hidden one
                mismatches[key] = f"raised {exc!r}"
                continue
            if verdict != test["valid"] or bool(issues) == test["valid"]:
                mismatches[key] = (f"expected valid={test['valid']}, is_valid={verdict}, "
                                   f"{len(issues)} issues: {[i.message for i in issues][:3]}")
    return ran, mismatches


@pytest.mark.parametrize("relative", FILES)
def test_suite_file(relative: str, remotes: dict) -> None:
    ran, mismatches = run_file(relative, remotes)
    expected = {key: reason for key, reason in KNOWN.items()
                if key.startswith(relative + " :: ")}
    assert ran > 0, f"{relative}: no test cases"
    unexpected = {k: v for k, v in mismatches.items() if k not in expected}
    fixed = sorted(set(expected) - set(mismatches))
    assert not unexpected and not fixed, (
        f"{relative}: {ran} cases ran, formats={'/optional/format/' in relative}; "
        f"unexpected mismatches: {json.dumps(unexpected, indent=1)}; "
        f"listed in KNOWN but now pass: {fixed}")


def test_known_differences_are_all_optional() -> None:
    """Every required test of both drafts passes: only optional ones may be listed."""
    assert KNOWN and all("/optional/" in key for key in KNOWN), sorted(KNOWN)
    assert all(reason.strip() for reason in KNOWN.values())


def test_whole_suite_ran(remotes: dict) -> None:
    """All 144 files and their 3,946 tests (2,226 of them required) ran, and all but the
    KNOWN ones agree with the suite."""
    total, required, differing = 0, 0, {}
    for relative in FILES:
        ran, mismatches = run_file(relative, remotes)
        total += ran
        required += ran if "/optional/" not in relative else 0
        differing.update(mismatches)
    assert (len(FILES), total, required) == (144, 3946, 2226), (
        f"{len(FILES)} files, {total} cases ran ({required} required)")
    assert set(differing) == set(KNOWN), (
        f"{total} cases ran ({required} required); {len(differing)} differ: "
        f"{sorted(set(differing) ^ set(KNOWN))}")
