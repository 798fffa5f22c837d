"""Validation benchmark: N model outputs (invoice extractions) against a nested JSON Schema.

Writes an invoice-extraction schema (nested objects, an array of objects, enums, patterns,
formats date / date-time / email / uuid / uri, numeric ranges, required fields,
additionalProperties false) and a JSONL file of {"prompt", "completion"} pairs whose
completion is a JSON string: ~89% valid, ~10% invalid in varied ways (missing fields,
bad enums, patterns, formats, ranges, types, extra properties, several at once) and ~1%
not JSON (truncated, fenced in Markdown, prose around it, ...). Generated from a seed.

Prints outputs/s for, each run as the real CLI in a child process and timed end to end
(interpreter start-up included):
  (a) `curator validate --schema SCHEMA FILE --field completion --format json ...`
  (b) `curator validate PROJECT --format json ...` on a project holding the same rows
      (imported first, not timed), every verdict computed and stored;
  (c) the same command again on the unchanged project (stored verdicts are current);
and the baseline, measured in the same run on the same strings: a bare, reused Python
`jsonschema` validator with a FormatChecker doing `json.loads` + `list(iter_errors())`
per output. It runs a few thousand outputs/s, so it is timed on an evenly spaced sample
(default 50,000 outputs) and its rate extrapolated.
Targets: (a) >= 3x baseline, (b) >= 2x baseline, (c) >= 20x faster than (b).

Correctness: every line's intended verdict is known from the generator; the invalid
lines reported by (a), (b) and (c), and by the baseline on its sample, must be exactly
the intended ones, so a fast but wrong validator cannot pass.

    python benchmarks/bench_validate.py                 # 1,000,000 outputs
    python benchmarks/bench_validate.py --rows 20000    # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Invoice extraction",
    "description": "Fields extracted from one supplier invoice (PDF or e-mail) for "
                   "accounts payable.",
    "type": "object",
    "additionalProperties": False,
    "required": ["document_id", "invoice_number", "issue_date", "currency", "status",
                 "vendor", "customer", "line_items", "totals", "extracted_at"],
    "properties": {
        "document_id": {"type": "string", "format": "uuid"},
        "invoice_number": {"type": "string", "pattern": "^INV-[0-9]{4}-[0-9]{5,6}$"},
        "purchase_order": {"type": ["string", "null"], "pattern": "^PO-[0-9]{6}$"},
        "issue_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"},
        "currency": {"enum": ["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK"]},
        "status": {"enum": ["issued", "paid", "partially_paid", "overdue", "credit_note"]},
        "vendor": {"$ref": "#/$defs/party"},
        "customer": {"$ref": "#/$defs/party"},
        "line_items": {
            "type": "array", "minItems": 1, "maxItems": 40,
            "items": {"$ref": "#/$defs/line_item"},
        },
        "totals": {
            "type": "object",
            "additionalProperties": False,
            "required": ["subtotal", "tax", "total"],
            "properties": {
                "subtotal": {"type": "number", "minimum": 0},
                "tax": {"type": "number", "minimum": 0},
                "shipping": {"type": "number", "minimum": 0, "maximum": 10000},
                "total": {"type": "number", "minimum": 0},
                "amount_due": {"type": "number", "minimum": 0},
            },
        },
        "payment": {
            "type": "object",
            "additionalProperties": False,
            "required": ["method"],
            "properties": {
                "method": {"enum": ["bank_transfer", "card", "direct_debit", "cheque",
                                    "paypal"]},
                "iban": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"},
                "terms_days": {"type": "integer", "minimum": 0, "maximum": 180},
                "paid_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "tags": {
            "type": "array", "maxItems": 5, "uniqueItems": True,
            "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,30}$"},
        },
        "notes": {"type": ["string", "null"], "maxLength": 500},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "extracted_at": {"type": "string", "format": "date-time"},
    },
    "$defs": {
        "party": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "email", "address"],
            "properties": {
                "name": {"type": "string", "minLength": 2, "maxLength": 120},
                "email": {"type": ["string", "null"], "format": "email"},
                "phone": {"type": "string", "pattern": "^\\+[0-9]{7,15}$"},
                "website": {"type": "string", "format": "uri"},
                "vat_id": {"type": "string", "pattern": "^[A-Z]{2}[0-9A-Z]{8,12}$"},
                "address": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["street", "city", "postal_code", "country"],
                    "properties": {
                        "street": {"type": "string", "minLength": 3},
                        "city": {"type": "string", "minLength": 2},
                        "postal_code": {"type": "string", "pattern": "^[A-Z0-9 -]{3,10}$"},
                        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    },
                },
            },
        },
        "line_item": {
            "type": "object",
            "additionalProperties": False,
            "required": ["description", "quantity", "unit_price", "amount"],
            "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]{2,4}-[0-9]{3,6}$"},
                "description": {"type": "string", "minLength": 3, "maxLength": 200},
                "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000},
                "unit": {"enum": ["each", "hour", "day", "kg", "m", "licence", "box"]},
                "unit_price": {"type": "number", "minimum": 0},
                "tax_rate": {"type": "number", "minimum": 0, "maximum": 0.5},
                "amount": {"type": "number", "minimum": 0},
            },
        },
    },
}

FIRST = "Ada Bram Chloe Dev Elif Farah Goran Hana Ivo Jun Kofi Lena Mateo Nadia Omar Priya".split()
LAST = "Okafor Lindqvist Moreau Tanaka Novak Haddad Rossi Costa Byrne Kowalski Singh Weber".split()
COMPANY = ("Northwind Harbor Kestrel Bluefin Granite Juniper Meridian Copperleaf Alder "
           "Summit Lumen Tidewater Orchard Beacon Fjord Cobalt").split()
SUFFIX = ["Ltd", "GmbH", "LLC", "S.A.", "AB", "Inc.", "B.V."]
STREETS = ["High Street", "Market Road", "Harbour Way", "Mill Lane", "Station Road",
           "Kingsway", "Rue de la Paix", "Hauptstrasse", "Elm Avenue", "Bridge Street"]
CITIES = [("London", "GB"), ("Berlin", "DE"), ("Paris", "FR"), ("Austin", "US"),
          ("Toronto", "CA"), ("Stockholm", "SE"), ("Madrid", "ES"), ("Sydney", "AU"),
          ("Zurich", "CH"), ("Osaka", "JP"), ("Dublin", "IE"), ("Rotterdam", "NL")]
ITEMS = [("Consulting services", "hour"), ("Laptop stand, aluminium", "each"),
         ("Cloud storage licence", "licence"), ("Printer paper A4", "box"),
         ("On-site installation", "day"), ("Ethernet cable", "m"), ("Coffee beans", "kg"),
         ("Ergonomic office chair", "each"), ("Annual support plan", "licence"),
         ("Shipping pallets", "each"), ("Design workshop", "day"), ("USB-C dock", "each")]
TAGS = ["recurring", "disputed", "early_payment", "foreign_currency", "capex", "opex",
        "needs_review", "partial_delivery"]
CURRENCIES = SCHEMA["properties"]["currency"]["enum"]
STATUSES = SCHEMA["properties"]["status"]["enum"]
METHODS = SCHEMA["properties"]["payment"]["properties"]["method"]["enum"]


def _party(rng: random.Random) -> dict[str, Any]:
    company = f"{rng.choice(COMPANY)} {rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
    domain = company.split()[0].lower() + rng.choice([".com", ".io", ".co.uk", ".de", ".example"])
    city, country = rng.choice(CITIES)
    party: dict[str, Any] = {
        "name": company,
        "email": f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}@{domain}"
        if rng.random() < 0.93 else None,
        "address": {
            "street": f"{rng.randrange(1, 400)} {rng.choice(STREETS)}",
            "city": city,
            "postal_code": f"{rng.randrange(10000, 99999)}",
            "country": country,
        },
    }
    if rng.random() < 0.5:
        party["phone"] = "+" + "".join(rng.choices("0123456789", k=rng.randrange(9, 13)))
    if rng.random() < 0.4:
        party["website"] = f"https://www.{domain}/"
    if rng.random() < 0.6:
        party["vat_id"] = country + "".join(rng.choices("0123456789", k=rng.randrange(9, 12)))
    return party


def make_invoice(rng: random.Random, i: int) -> dict[str, Any]:
    year, month, day = rng.randrange(2019, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    items = []
    for _ in range(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 7])):
        description, unit = rng.choice(ITEMS)
        quantity = rng.choice([1, 2, 3, 5, 10, 12, 24]) if unit != "kg" else round(
            rng.uniform(0.5, 40), 2)
        price = round(rng.uniform(1, 900), 2)
        item: dict[str, Any] = {"description": description, "quantity": quantity,
                                "unit_price": price, "amount": round(quantity * price, 2)}
        if rng.random() < 0.7:
            item["sku"] = f"{rng.choice(['AB', 'KST', 'NWH', 'CPRL'])}-{rng.randrange(100, 99999)}"
        if rng.random() < 0.8:
            item["unit"] = unit
        if rng.random() < 0.6:
            item["tax_rate"] = rng.choice([0, 0.05, 0.07, 0.1, 0.19, 0.2, 0.25])
        items.append(item)
    subtotal = round(sum(item["amount"] for item in items), 2)
    tax = round(subtotal * rng.choice([0, 0.07, 0.19, 0.2]), 2)
    totals: dict[str, Any] = {"subtotal": subtotal, "tax": tax, "total": round(subtotal + tax, 2)}
    if rng.random() < 0.3:
        totals["shipping"] = round(rng.uniform(0, 80), 2)
    if rng.random() < 0.5:
        totals["amount_due"] = totals["total"]
    invoice: dict[str, Any] = {
        "document_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "invoice_number": f"INV-{year}-{i % 1000000:06d}",
        "issue_date": f"{year}-{month:02d}-{day:02d}",
        "currency": rng.choice(CURRENCIES),
        "status": rng.choice(STATUSES),
        "vendor": _party(rng),
        "customer": _party(rng),
        "line_items": items,
        "totals": totals,
        "extracted_at": f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
                        f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
                        + rng.choice(["Z", "+02:00", "-05:00", ".123Z"]),
    }
    if rng.random() < 0.6:
        invoice["due_date"] = f"{year}-{month:02d}-{min(day + 14, 28):02d}"
    if rng.random() < 0.4:
        invoice["purchase_order"] = f"PO-{rng.randrange(10**6):06d}" if rng.random() < 0.8 else None
    if rng.random() < 0.6:
        payment: dict[str, Any] = {"method": rng.choice(METHODS)}
        if payment["method"] == "bank_transfer":
            payment["iban"] = "DE" + "".join(rng.choices("0123456789", k=20))
        if rng.random() < 0.5:
            payment["terms_days"] = rng.choice([0, 14, 30, 45, 60, 90])
        if invoice["status"] == "paid":
            payment["paid_at"] = f"{year}-{month:02d}-{day:02d}T10:15:00Z"
        invoice["payment"] = payment
    if rng.random() < 0.3:
        invoice["tags"] = rng.sample(TAGS, rng.randrange(1, 4))
    if rng.random() < 0.3:
        invoice["notes"] = "Goods received in full; pay within agreed terms." \
            if rng.random() < 0.8 else None
    if rng.random() < 0.7:
        invoice["confidence"] = round(rng.uniform(0.55, 1.0), 3)
    return invoice


# -- ways to be wrong: each one makes a valid invoice invalid, for sure -------------------

def _missing_required(d, rng):
    del d[rng.choice(["currency", "issue_date", "vendor", "totals", "line_items",
                      "document_id", "extracted_at"])]


def _bad_enum(d, rng):
    if rng.random() < 0.5:
        d["currency"] = rng.choice(["usd", "US$", "EURO", "Pounds", ""])
    else:
        d["status"] = rng.choice(["pending", "PAID", "unknown", "open"])


def _bad_pattern(d, rng):
    choice = rng.randrange(4)
    if choice == 0:
        d["invoice_number"] = rng.choice(["INV-24-118", "inv-2024-000118", "2024/000118",
                                          "INV 2024 000118"])
    elif choice == 1:
        d["vendor"]["address"]["country"] = rng.choice(["USA", "Germany", "de", "U.K."])
    elif choice == 2:
        d["line_items"][-1]["sku"] = rng.choice(["ab-123", "SKU123", "KST_4451", "X-1"])
    else:
        d["purchase_order"] = rng.choice(["PO-12", "PO 123456", "123456"])


def _bad_format(d, rng):
    choice = rng.randrange(5)
    if choice == 0:
        d["issue_date"] = rng.choice(["2024-02-30", "12/03/2024", "2024-13-01", "March 3, 2024",
                                      "2024-3-7"])
    elif choice == 1:
        d["extracted_at"] = rng.choice(["2025-03-05 10:00", "2025-03-05T25:00:00Z",
                                        "yesterday", "2025-03-05"])
    elif choice == 2:
        party = d[rng.choice(["vendor", "customer"])]
        party["email"] = rng.choice(["accounts at kestrel.com", "billing.kestrel.com",
                                     "n/a", "ap-team"])
    elif choice == 3:
        d["document_id"] = rng.choice(["not-a-uuid", "1234", "a3f1c2d4e5f6a7b8c9d0e1f2a3b4c5d6e7"])
    else:
        d["due_date"] = rng.choice(["in 30 days", "2024-06-31", "31.05.2024"])


def _bad_range(d, rng):
    choice = rng.randrange(4)
    if choice == 0:
        d["line_items"][0]["quantity"] = rng.choice([0, -1, -2.5])
    elif choice == 1:
        d["line_items"][-1]["tax_rate"] = rng.choice([19, 1.2, -0.1])
    elif choice == 2:
        d["totals"]["total"] = -abs(d["totals"]["total"]) - 1
    else:
        d["confidence"] = rng.choice([1.5, 95, -0.2])


def _bad_type(d, rng):
    choice = rng.randrange(4)
    if choice == 0:
        d["line_items"][0]["unit_price"] = f"{d['line_items'][0]['unit_price']:.2f}"
    elif choice == 1:
        d["totals"]["tax"] = None
    elif choice == 2:
        d["line_items"] = d["line_items"][0]
    else:
        d["customer"]["name"] = rng.choice([None, 42, ["Acme"]])


def _extra_property(d, rng):
    choice = rng.randrange(3)
    if choice == 0:
        d[rng.choice(["invoice_total", "explanation", "vendor_name"])] = "see above"
    elif choice == 1:
        d["line_items"][-1]["discount"] = 0.1
    else:
        d["vendor"]["address"]["state"] = "TX"


def _structure(d, rng):
    choice = rng.randrange(4)
    if choice == 0:
        d["line_items"] = []
    elif choice == 1:
        del d["customer"]["address"]["postal_code"]
    elif choice == 2:
        d["tags"] = ["capex", "capex"]
    else:
        d["notes"] = "x" * 501


MUTATIONS = [_missing_required, _bad_enum, _bad_pattern, _bad_format, _bad_range, _bad_type,
             _extra_property, _structure]


def _not_json(text: str, rng: random.Random) -> str:
    choice = rng.randrange(6)
    if choice == 0:
        return text[: rng.randrange(1, len(text) - 1)]  # cut off (max_tokens)
    if choice == 1:
        return "```json\n" + text + "\n```"
    if choice == 2:
        return "Here is the extracted invoice:\n" + text
    if choice == 3:
        return text.replace('"', "'")
    if choice == 4:
        return text[:-1] + ",}"
    return ""


VALID, INVALID, NOT_JSON = 0, 1, 2


def make_file(path: Path, rows: int, sample_every: int, seed: int
              ) -> tuple[int, bytearray, list[tuple[int, str]]]:
    """Write the pairs; return (bytes, intended verdict per line, sampled (line, output))."""
    rng = random.Random(seed)
    labels = bytearray(rows)
    sample: list[tuple[int, str]] = []
    size = 0
    with path.open("wb") as handle:
        for i in range(rows):
            invoice = make_invoice(rng, i)
            roll = rng.random()
            if 0.01 <= roll < 0.11:
                first, *more = rng.sample(MUTATIONS, 1 if rng.random() < 0.8 else 3)
                first(invoice, rng)
                for mutate in more:  # the first may have removed what these change
                    try:
                        mutate(invoice, rng)
                    except (KeyError, IndexError, TypeError):
                        pass
                labels[i] = INVALID
            output = orjson.dumps(invoice).decode()
            if roll < 0.01:
                output = _not_json(output, rng)
                labels[i] = NOT_JSON
            vendor = invoice.get("vendor") or {"name": "the supplier"}
            prompt = (f"Extract the invoice below as JSON matching the schema.\n\nDocument "
                      f"{i}: invoice from {vendor['name']}, {len(output)} characters of "
                      "OCR text follow.\n")
            line = orjson.dumps({"prompt": prompt, "completion": output}) + b"\n"
            size += len(line)
            handle.write(line)
            if i % sample_every == 0:
                sample.append((i + 1, output))
    return size, labels, sample


# -- running things -------------------------------------------------------------------

def _curator() -> list[str]:
    script = Path(sys.executable).with_name("curator")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from curator.cli import main; "
                                  "sys.exit(main(sys.argv[1:]))"]


def run_cli(args: list[str], log: Path) -> tuple[float, float]:
    """Run the curator CLI; return (wall seconds, peak RSS MB of that process, or of its
    biggest child). Output goes to `log`; a non-zero exit stops the benchmark."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([*_curator(), *args], stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"curator {' '.join(args)} exited {proc.returncode}:\n"
                         f"{log.read_text(errors='replace')[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def baseline(schema: Any, sample: list[tuple[int, str]]) -> tuple[float, set[int], int]:
    """Bare reused `jsonschema` validator: json.loads + list(iter_errors) per output.
    Returns (seconds, invalid line numbers, not-JSON count)."""
    from jsonschema import FormatChecker, validators

    validator = validators.validator_for(schema)(schema, format_checker=FormatChecker())
    invalid: set[int] = set()
    not_json = 0
    start = time.perf_counter()
    for line, text in sample:
        try:
            instance = json.loads(text)
        except ValueError:
            invalid.add(line)
            not_json += 1
            continue
        if list(validator.iter_errors(instance)):
            invalid.add(line)
    return time.perf_counter() - start, invalid, not_json


def read_report(path: Path, id_to_line=lambda i: i) -> tuple[dict[str, Any], set[int]]:
    report = orjson.loads(path.read_bytes())
    return report["summary"], {id_to_line(f["id"]) for f in report["failures"]}


def _file_line(locator: str) -> int:
    assert locator.startswith("line "), locator
    return int(locator.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000,
                        help="outputs the jsonschema baseline is timed on (evenly spaced)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: tmp)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="curator-bench-validate-"))
    work.mkdir(parents=True, exist_ok=True)
    schema_path, data = work / "invoice.schema.json", work / "invoices.jsonl"
    project = work / "project.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project}{suffix}").unlink(missing_ok=True)
    schema_path.write_bytes(orjson.dumps(SCHEMA, option=orjson.OPT_INDENT_2))

    n = args.rows
    sample_every = max(1, n // args.sample)
    t = time.perf_counter()
    size, labels, sample = make_file(data, n, sample_every, args.seed)
    gen_s = time.perf_counter() - t
    expected = {i + 1 for i, label in enumerate(labels) if label != VALID}
    expected_not_json = labels.count(NOT_JSON)
    print(f"outputs: {n:,}  file: {size / 1e6:.0f} MB ({size / n:.0f} B/line)  "
          f"generated in {gen_s:.1f} s")
    print(f"intended: {n - len(expected):,} valid, {len(expected) - expected_not_json:,} "
          f"invalid against the schema, {expected_not_json:,} not JSON")

    startup_s, _ = run_cli(["--version"], work / "version.log")

    # (d) baseline, on the sample
    base_s, base_invalid, base_not_json = baseline(SCHEMA, sample)
    base_rate = len(sample) / base_s

    # (a) a plain file
    file_report = work / "report-file.json"
    a_s, a_rss = run_cli(["validate", "--schema", str(schema_path), str(data), "--field",
                          "completion", "--format", "json", "--output", str(file_report),
                          "--fail-under", "0"], work / "validate-file.log")
    a_summary, a_invalid = read_report(file_report, _file_line)

    # (b) a project: import (not timed into the figure), then a full validation
    imp_s, imp_rss = run_cli(["import", str(project), str(data), "--task", "t", "--schema",
                              str(schema_path), "--json"], work / "import.log")
    project_report = work / "report-project.json"
    command = ["validate", str(project), "--format", "json", "--output", str(project_report),
               "--fail-under", "0"]
    b_s, b_rss = run_cli(command, work / "validate-project.log")
    b_summary, b_invalid = read_report(project_report)
    b_checked = orjson.loads(project_report.read_bytes())["checked"]

    # (c) the same again: every stored verdict is current
    c_s, c_rss = run_cli(command, work / "revalidate-project.log")
    c_summary, c_invalid = read_report(project_report)
    c_checked = orjson.loads(project_report.read_bytes())["checked"]

    a_rate, b_rate, c_rate = n / a_s, n / b_s, n / c_s
    w = 44
    print(f"{'curator start-up (--version)':<{w}}: {startup_s:.2f} s (included in every "
          "timing below)")
    print(f"{'(d) baseline jsonschema, reused validator':<{w}}: {base_rate:>10,.0f} outputs/s"
          f"  ({base_s:.1f} s for a sample of {len(sample):,}, extrapolated: "
          f"{n / base_rate:.0f} s for {n:,})")
    print(f"{'(a) curator validate --schema FILE':<{w}}: {a_rate:>10,.0f} outputs/s  "
          f"({a_s:.1f} s, peak RSS {a_rss:.0f} MB)")
    print(f"{'    curator import (not timed in (b))':<{w}}: {n / imp_s:>10,.0f} rows/s  "
          f"({imp_s:.1f} s, peak RSS {imp_rss:.0f} MB)")
    print(f"{'(b) curator validate PROJECT (all checked)':<{w}}: {b_rate:>10,.0f} outputs/s  "
          f"({b_s:.1f} s, peak RSS {b_rss:.0f} MB, {b_checked:,} checked)")
    print(f"{'(c) curator validate PROJECT (unchanged)':<{w}}: {c_rate:>10,.0f} outputs/s  "
          f"({c_s:.1f} s, peak RSS {c_rss:.0f} MB, {c_checked:,} checked)")

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    ra, rb, rc = a_rate / base_rate, b_rate / base_rate, b_s / c_s
    print(f"{'ratio (a) / baseline':<{w}}: {ra:6.1f}x  (target >= 3x)   {verdict(ra >= 3)}")
    print(f"{'ratio (b) / baseline':<{w}}: {rb:6.1f}x  (target >= 2x)   {verdict(rb >= 2)}")
    print(f"{'speed-up (c) over (b)':<{w}}: {rc:6.1f}x  (target >= 20x)  {verdict(rc >= 20)}")

    # agreement: every method must flag exactly the intended lines
    sample_lines = {line for line, _ in sample}
    sample_expected = expected & sample_lines
    print(f"{'invalid outputs (incl. not JSON)':<{w}}: intended {len(expected):,} "
          f"({expected_not_json:,} not JSON)")
    for name, summary, invalid in (("(a)", a_summary, a_invalid), ("(b)", b_summary, b_invalid),
                                   ("(c)", c_summary, c_invalid)):
        print(f"{'    ' + name:<{w}}: {summary['invalid']:,} of {summary['total']:,} "
              f"({summary['not_json']:,} not JSON); on the sample lines "
              f"{len(invalid & sample_lines):,}")
    print(f"{'    (d) jsonschema on the sample':<{w}}: {len(base_invalid):,} of {len(sample):,} "
          f"({base_not_json:,} not JSON); intended on the sample {len(sample_expected):,}")
    problems = []
    if base_invalid != sample_expected:
        problems.append(f"jsonschema disagrees with the intended verdicts on "
                        f"{len(base_invalid ^ sample_expected)} sample lines, e.g. "
                        f"{sorted(base_invalid ^ sample_expected)[:5]}")
    for name, summary, invalid in (("(a)", a_summary, a_invalid), ("(b)", b_summary, b_invalid),
                                   ("(c)", c_summary, c_invalid)):
        if summary["total"] != n or summary["invalid"] != len(invalid):
            problems.append(f"{name} summary {summary} does not fit {len(invalid)} failures")
        if invalid & sample_lines != base_invalid:
            problems.append(f"{name} and jsonschema disagree on sample lines "
                            f"{sorted((invalid & sample_lines) ^ base_invalid)[:5]}")
        if invalid != expected:
            wrong = sorted(invalid ^ expected)
            problems.append(f"{name} disagrees with the intended verdicts on "
                            f"{len(wrong)} lines, e.g. {wrong[:5]}")
        if summary["not_json"] != expected_not_json:
            problems.append(f"{name} counts {summary['not_json']} not JSON, intended "
                            f"{expected_not_json}")
    if b_checked != n or c_checked != 0:
        problems.append(f"(b) checked {b_checked}, (c) checked {c_checked}; expected {n} and 0")
    if problems:
        raise SystemExit("verdicts disagree:\n  " + "\n  ".join(problems))
    print(f"{'agreement':<{w}}: (a), (b), (c) and jsonschema flag exactly the intended lines")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench process peak RSS {own:.0f} MB; project file "
          f"{os.path.getsize(project) / 1e6:.0f} MB; work folder {work})")


if __name__ == "__main__":
    main()
