"""File readers: stream the records of one input file, each with where it came from.

A reader never raises for a bad row: it yields `Row(locator, record=None, error=...)`
and carries on, so the importer can list every bad row. Only a file that cannot be
read at all (missing, not Parquet, ...) raises `InputError`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from .errors import BadRow, InputError

FILE_FORMATS = ("auto", "jsonl", "json", "csv", "parquet", "hf")
MAX_DEPTH = 100
_CHUNK = 1 << 20
_BOM = codecs.BOM_UTF8


@dataclass(slots=True)
class Row:
    locator: str  # "line 12", "row 4 (line 40)", "train row 7"
    record: dict[str, Any] | None
    error: BadRow | None = None
    raw: str | None = None  # the input text of a bad row, for the rejects file


class Reader:
    """Iterate `rows()`; `done` / `total` measure progress in the reader's own unit."""

    unit = "bytes"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done = 0
        self.total = 0

    def rows(self) -> Iterator[Row]:  # pragma: no cover - interface
        raise NotImplementedError


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "hf"
    name = path.name.lower()
    for suffix in (".gz",):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    raise InputError(
        f"{path}: cannot tell the file format from its name; "
        f"pass --format ({', '.join(FILE_FORMATS[1:])})"
    )


def open_reader(path: Path, file_format: str = "auto") -> Reader:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    fmt = detect_format(path) if file_format == "auto" else file_format
    if fmt != "hf" and path.is_dir():
        raise InputError(f"{path} is a folder; only a Hugging Face dataset folder can be imported")
    readers = {"jsonl": JsonLinesReader, "json": JsonReader, "csv": CsvReader,
               "parquet": ParquetReader, "hf": HfDatasetReader}
    if fmt not in readers:
        raise InputError(f"unknown file format {fmt!r}; use one of {', '.join(FILE_FORMATS)}")
    return readers[fmt](path)


def check_record(value: Any) -> dict[str, Any]:
    """A record must be a JSON object of sane depth."""
    if not isinstance(value, dict):
        kind = "an array" if isinstance(value, list) else type(value).__name__
        if value is None:
            kind = "null"
        raise BadRow("", f"the row is {kind}, not a JSON object")
    nested = [v for v in value.values() if isinstance(v, (dict, list))]
    depth = 1 + max(map(_depth, nested)) if nested else 1
    if depth > MAX_DEPTH:
        # fix: _depth stops counting just past MAX_DEPTH, so the depth it returns is not
        # the record's real depth; do not report it as if it were.
        raise BadRow("", f"nested more than {MAX_DEPTH} levels deep; that is not an example")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > deepest:
            deepest = level
            if deepest > MAX_DEPTH:
                return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item if isinstance(v, (dict, list)))
    return deepest


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _json_error(line: bytes, exc: Exception) -> BadRow:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return BadRow("", f"invalid UTF-8 at byte {bad.start + 1} of the line")
    message = str(exc)
    # fix: orjson 3.10+ says "depth limit exceeded" (older versions: "recursion ...")
    if "recursion" in message.lower() or "depth limit" in message.lower():
        return BadRow("", f"nested more than {MAX_DEPTH} levels deep")
    return BadRow("", f"broken JSON: {message}")


def _raw_text(data: bytes, limit: int = 10_000) -> str:
    return data[:limit].decode("utf-8", errors="replace")


class JsonLinesReader(Reader):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.total = path.stat().st_size

    def rows(self) -> Iterator[Row]:
        with _open_binary(self.path) as handle:
            raw_handle = getattr(handle, "fileobj", None)
            for number, line in enumerate(handle, start=1):
                self.done = raw_handle.tell() if raw_handle else self.done + len(line)
                if number == 1 and line.startswith(_BOM):
                    line = line[len(_BOM):]
                stripped = line.strip()
                if not stripped:
                    continue
                locator = f"line {number}"
                try:
                    value = orjson.loads(stripped)
                except orjson.JSONDecodeError as exc:
                    yield Row(locator, None, _json_error(stripped, exc), _raw_text(stripped))
                    continue
                try:
                    yield Row(locator, check_record(value))
                except BadRow as exc:
                    yield Row(locator, None, exc, _raw_text(stripped))


class JsonReader(Reader):
    """A JSON array of objects, streamed element by element; or JSON Lines in a .json
    file (BFCL does this); or one object."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.total = path.stat().st_size

    def rows(self) -> Iterator[Row]:
        with _open_binary(self.path) as handle:
            head = handle.read(4096)
        text_head = head.removeprefix(_BOM).lstrip()
        if text_head.startswith(b"["):
            yield from self._array_rows()
        elif text_head.startswith(b"{") and self._first_line_is_object():
            lines = JsonLinesReader(self.path)
            for row in lines.rows():
                self.done = lines.done
                yield row
        else:
            yield from self._single_value()

    def _first_line_is_object(self) -> bool:
        with _open_binary(self.path) as handle:
            first = handle.readline().removeprefix(_BOM).strip()
        try:
            return isinstance(orjson.loads(first), dict)
        except orjson.JSONDecodeError:
            return False

    def _single_value(self) -> Iterator[Row]:
        with _open_binary(self.path) as handle:
            data = handle.read().removeprefix(_BOM)
        self.done = self.total
        if not data.strip():
            return
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            yield Row("line 1", None, _json_error(data, exc), _raw_text(data))
            return
        try:
            yield Row("line 1", check_record(value))
        except BadRow as exc:
            yield Row("line 1", None, exc, _raw_text(data))

    def _array_rows(self) -> Iterator[Row]:
        # NaN, Infinity and 1e400 are not JSON (JSONL refuses them through orjson);
        # mark them so the row is refused rather than stored as null.
        decoder = json.JSONDecoder(parse_constant=lambda _: NonFinite(),
                                   parse_float=_finite_float)
        # surrogateescape keeps going past invalid UTF-8; the row holding it is then
        # refused by orjson (which rejects lone surrogates) with a clear reason.
        text_decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        with _open_binary(self.path) as handle:
            raw_handle = getattr(handle, "fileobj", None)
            buffer = ""
            pos = 0
            line = 1  # line number at buffer[pos]
            eof = False

            def fill() -> bool:
                nonlocal buffer, pos, eof
                if eof:
                    return False
                chunk = handle.read(_CHUNK)
                self.done = raw_handle.tell() if raw_handle else self.done + len(chunk)
                if not chunk:
                    eof = True
                    buffer = buffer[pos:] + text_decoder.decode(b"", final=True)
                    pos = 0
                    return False
                buffer = buffer[pos:] + text_decoder.decode(chunk)
                pos = 0
                return True

            def skip_ws() -> None:
                nonlocal pos, line
                while True:
                    while pos < len(buffer) and buffer[pos] in " \t\r\n\ufeff":
                        if buffer[pos] == "\n":
                            line += 1
                        pos += 1
                    if pos < len(buffer) or not fill():
                        return

            fill()
            skip_ws()
            pos += 1  # the opening '['
            index = 0
            while True:
                skip_ws()
                if pos >= len(buffer):
                    yield Row(f"line {line}", None, BadRow("", "the JSON array is not closed"))
                    return
                if buffer[pos] == "]":
                    return
                start_line = line
                while True:
                    try:
                        value, end = decoder.raw_decode(buffer, pos)
                        break
                    except json.JSONDecodeError as exc:
                        # fix: exc.lineno counts from the start of the buffer, not from
                        # this element; count the lines between the two (before fill()
                        # moves the buffer).
                        error_line = start_line + buffer.count("\n", pos, exc.pos)
                        if fill():
                            continue
                        where = f"row {index} (line {start_line})"
                        yield Row(where, None, BadRow(
                            "", f"broken JSON at line {error_line}: "
                                f"{exc.msg}; the rest of the array cannot be read"))
                        return
                    except RecursionError:
                        # fix: the json module recurses per nesting level, so a deeply
                        # nested element raised RecursionError and crashed the import.
                        yield Row(f"row {index} (line {start_line})", None, BadRow(
                            "", f"nested more than {MAX_DEPTH} levels deep; the rest of the "
                                "array cannot be read"))
                        return
                element_text = buffer[pos:end]
                line += element_text.count("\n")
                pos = end
                where = f"row {index} (line {start_line})"
                yield _array_row(where, value, element_text)
                index += 1
                skip_ws()
                if pos < len(buffer) and buffer[pos] == ",":
                    pos += 1
                elif pos < len(buffer) and buffer[pos] == "]":
                    return
                else:
                    yield Row(f"line {line}", None,
                              BadRow("", "expected ',' or ']' after an array element"))
                    return


class NonFinite:
    """A number JSON cannot hold, met in a JSON array (see `_array_rows`)."""


def _finite_float(text: str) -> float | NonFinite:
    value = float(text)
    return value if math.isfinite(value) else NonFinite()


def _array_row(where: str, value: Any, element_text: str) -> Row:
    try:
        record = check_record(value)
        orjson.dumps(record)  # refuses lone surrogates: invalid UTF-8 in the file
    except BadRow as exc:
        # fix: the text is decoded with surrogateescape, so a refused element holding
        # invalid UTF-8 (`["\xff"]`) carried lone surrogates into the rejects file,
        # whose writing then crashed after --skip-invalid had committed the import.
        return Row(where, None, exc, element_text[:10_000].encode(
            "utf-8", "surrogateescape").decode("utf-8", "replace"))
    except (TypeError, orjson.JSONEncodeError) as exc:
        # fix: an integer past 64 bits (which orjson cannot hold) was refused as
        # "invalid UTF-8 in the row"; say what is wrong with it.
        reason = ("invalid UTF-8 in the row" if "surrogate" in str(exc) or "UTF-8" in str(exc)
                  else "holds NaN, Infinity or a number too large for JSON"
                  if "NonFinite" in str(exc)
                  else f"holds a value curator cannot store ({exc})")
        return Row(where, None, BadRow("", reason),
                   element_text[:10_000].encode("utf-8", "replace").decode("utf-8", "replace"))
    return Row(where, record)


class CsvReader(Reader):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.total = path.stat().st_size

    def rows(self) -> Iterator[Row]:
        csv.field_size_limit(2**31 - 1)  # real prompts exceed the 128 KB default
        delimiter = "\t" if self.path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
        with _open_binary(self.path) as binary:
            raw_handle = getattr(binary, "fileobj", binary)
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape",
                                    newline="")
            reader = csv.reader(text, delimiter=delimiter)
            try:
                header = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(f"{self.path}: line 1: unreadable CSV header: {exc}") from exc
            # fix: a header with invalid UTF-8 became surrogate-escaped `meta` keys, which
            # crashed the import when the store serialised them.
            if any("\udc80" <= ch <= "\udcff" for name in header for ch in name):
                raise InputError(f"{self.path}: line 1: invalid UTF-8 in the CSV header")
            if len(set(header)) != len(header):
                raise InputError(f"{self.path}: line 1: the CSV header repeats a column name")
            previous_end = reader.line_num
            while True:
                start = previous_end + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    previous_end = reader.line_num
                    yield Row(f"line {start}", None, BadRow("", f"unreadable CSV: {exc}"))
                    continue
                previous_end = reader.line_num
                self.done = raw_handle.tell()
                if not cells or all(not cell for cell in cells):
                    continue
                yield _csv_row(f"line {start}", header, cells, delimiter)


def _csv_row(locator: str, header: list[str], cells: list[str], delimiter: str) -> Row:
    raw = delimiter.join(cells)
    if any("\udc80" <= ch <= "\udcff" for cell in cells for ch in cell):
        text = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return Row(locator, None, BadRow("", "invalid UTF-8 in the row"), text[:10_000])
    if len(cells) != len(header):
        return Row(locator, None, BadRow(
            "", f"the row has {len(cells)} fields but the header has {len(header)}"), raw[:10_000])
    return Row(locator, dict(zip(header, cells)))


class ParquetReader(Reader):
    unit = "rows"

    def rows(self) -> Iterator[Row]:
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise InputError(f"{self.path}: not a readable Parquet file: {exc}") from exc
        self.total = parquet.metadata.num_rows
        index = 0
        for batch in parquet.iter_batches(batch_size=1000):
            for record in batch.to_pylist():
                yield _record_row(f"row {index}", record)
                index += 1
            self.done = index


class HfDatasetReader(Reader):
    """A folder written by `datasets` `save_to_disk` (a Dataset or a DatasetDict)."""

    unit = "rows"

    def rows(self) -> Iterator[Row]:
        markers = ("dataset_info.json", "state.json", "dataset_dict.json")
        if not any((self.path / marker).exists() for marker in markers):
            raise InputError(
                f"{self.path} is not a Hugging Face dataset folder written by save_to_disk "
                f"(it has none of {', '.join(markers)})"
            )
        from datasets import Dataset, load_from_disk

        try:
            loaded = load_from_disk(str(self.path))
        except Exception as exc:  # datasets raises many types for a broken folder
            raise InputError(f"{self.path}: cannot load the dataset: {exc}") from exc
        splits = {"": loaded} if isinstance(loaded, Dataset) else dict(loaded)
        self.total = sum(len(ds) for ds in splits.values())
        for split, dataset in splits.items():
            prefix = f"{split} " if split else ""
            index = 0
            for batch in dataset.iter(batch_size=1000):
                columns = list(batch)
                count = len(batch[columns[0]]) if columns else 0
                for i in range(count):
                    record = {name: batch[name][i] for name in columns}
                    yield _record_row(f"{prefix}row {index}", record)
                    index += 1
                    self.done += 1


def _record_row(locator: str, record: Any) -> Row:
    try:
        record = check_record(record)
    except BadRow as exc:
        return Row(locator, None, exc)
    # fix: Parquet / datasets values JSON cannot hold (bytes, Decimal, ...) reached the
    # store, whose serialising of `meta` then crashed the whole import.
    try:
        orjson.dumps(record)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        for key, value in record.items():
            try:
                orjson.dumps(value)
            except TypeError:
                return Row(locator, None, BadRow(
                    key, f"holds a value JSON cannot hold ({type(value).__name__})"))
    return Row(locator, record)
