"""Data files streamed into column moments: CSV or Parquet (told apart by content), one file, a glob or a folder.

Memory is bounded by a batch: the rows are kept only within ROW_BUDGET_BYTES, otherwise a seeded sample of
SHOWN_ROWS rows is kept for drawing, while the moments (hence every number) come from all the rows. Hostile input
(NUL bytes, over-long lines, devices, FIFOs with no writer) ends in one GdvizInputError line, in bounded time.
The CSV hints (separators, decimal commas, UTF-16, closest column names, the first bad cell's row) come from a
second, line-by-line pass that runs only when pyarrow refuses a file.
"""

from __future__ import annotations

import csv
import glob
import math
import os
import re
import select
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gdcore.errors import GdvizInputError, closest_hint
from gdcore.statistics import ROW_BUDGET_BYTES, Accumulator, Moments

# The most feature columns a dataset may have: the spectrum costs O(p³) and each step O(p²).
MAX_FEATURES = 1_000
# A CSV line (so any cell) may hold at most this many bytes; pyarrow reads blocks of this size.
MAX_LINE_BYTES = 4 * 2**20
# A FIFO or device that yields no byte for this many seconds is an error, not a hang.
READ_TIMEOUT_S = 10.0
# Bytes read first to tell CSV from Parquet, sniff the separator and read the header.
_PREFIX_BYTES = 64 * 2**10
_SNIFF_LINES = 50
_PARQUET_MAGIC = b"PAR1"
_PARQUET_BATCH_ROWS = 256 * 2**10
# Files a folder holds besides the data: hidden files and Hadoop/Spark markers such as _SUCCESS.
_SKIPPED_PREFIXES = (".", "_")
_os_open = os.open  # a seam for tests


@dataclass(frozen=True)
class Table:
    """What a read yields: the moments of the columns [x1, ..., xd, y] over all rows, and some rows.

    features of shape (rows, d) and target of shape (rows,), read-only: all n rows, or when they exceeded
    ROW_BUDGET_BYTES a seeded uniform sample of SHOWN_ROWS rows (rows_kept False).
    """

    moments: Moments
    features: np.ndarray  # every row's features, or the sample's
    target: np.ndarray
    rows_kept: bool
    names: tuple[str, ...]  # the selected columns' names: the features', then the target's
    files: tuple[Path, ...]  # the files read, in order
    description: str  # one line: which files, which format


# ── Files ─────────────────────────────────────────────────────────────────────────────────────────────


def resolve_files(path: str | os.PathLike[str]) -> list[Path]:
    """One path, a folder (its files, sorted, without hidden ones and _SUCCESS-like markers) or a glob pattern."""
    text = os.fspath(path)
    file = Path(text)
    if file.is_dir():
        files = sorted(p for p in file.iterdir() if not p.name.startswith(_SKIPPED_PREFIXES) and not p.is_dir())
        if not files:
            raise GdvizInputError(f"'{file}' is a directory with no data files: give a CSV or Parquet file, "
                                  "a folder of them or a glob such as 'parts/*.csv'")
        return files
    if os.path.lexists(text) or not glob.has_magic(text):
        if not os.path.lexists(text):
            raise GdvizInputError(f"no such file: '{file}'")
        return [file]
    files = sorted(Path(p) for p in glob.glob(text) if not Path(p).is_dir())
    if not files:
        raise GdvizInputError(f"no file matches the pattern '{text}'")
    return files


_BLANK_LINE = re.compile(rb"^[ \t]+(\r?)$", re.MULTILINE)


def _empty_blank_lines(chunk: bytes) -> bytes:
    """Whitespace-only lines made empty, which pyarrow skips (as the CSV hints always did). A line cut by the
    chunk's edge only loses spaces next to a cell, which a number does not mind."""
    if b"\n " in chunk or b"\n\t" in chunk or chunk[:1] in (b" ", b"\t"):
        return _BLANK_LINE.sub(rb"\1", chunk)
    return chunk


class GuardedInput:
    """A raw byte stream over a file descriptor that never hangs and refuses binary data.

    Devices and FIFOs are opened non-blocking and each read waits at most `timeout` seconds; a NUL byte, or a
    timeout, is recorded in `failure` (a one-line error) and ends the stream.
    """

    def __init__(self, path: Path, timeout: float, refuse_nul: bool = True) -> None:
        self.path = path
        self.timeout = timeout
        self.refuse_nul = refuse_nul
        self.failure: GdvizInputError | None = None
        self.offset = 0
        self.pending = b""
        try:
            self.fd = _os_open(str(path), os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            raise GdvizInputError(f"cannot read '{path}': {error.strerror or error}") from None
        self.regular = stat.S_ISREG(os.fstat(self.fd).st_mode)
        if self.regular:
            os.set_blocking(self.fd, True)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _read_raw(self, size: int) -> bytes:
        if not self.regular:
            ready, _, _ = select.select([self.fd], [], [], self.timeout)
            if not ready:
                self.failure = GdvizInputError(
                    f"'{self.path}' yielded no data within {self.timeout:g} s (a FIFO with no writer, or a silent "
                    "device): give a file, or start the writer first")
                raise TimeoutError(str(self.failure))
        try:
            return os.read(self.fd, size)
        except OSError as error:
            self.failure = GdvizInputError(f"cannot read '{self.path}': {error.strerror or error}")
            raise

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (the bytes peeked at first, then the file's); b"" at the end."""
        if self.failure is not None:
            raise OSError(str(self.failure))
        size = MAX_LINE_BYTES if size is None or size < 0 else size
        if self.pending:
            chunk, self.pending = self.pending[:size], self.pending[size:]
        else:
            chunk = self._read_raw(size)
        if self.refuse_nul and b"\x00" in chunk:
            at = self.offset + chunk.index(b"\x00")
            self.failure = GdvizInputError(
                f"'{self.path}' has a NUL byte at offset {at}: it looks like a binary file, not a CSV text file "
                "(Parquet files start with PAR1)")
            raise OSError(str(self.failure))
        self.offset += len(chunk)
        return _empty_blank_lines(chunk) if self.refuse_nul else chunk

    def peek(self, size: int) -> bytes:
        """The first `size` bytes (fewer at the end), without consuming them."""
        while len(self.pending) < size:
            chunk = self._read_raw(size - len(self.pending))
            if not chunk:
                break
            self.pending += chunk
        return self.pending[:size]

    # The file-object protocol pyarrow needs.
    closed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.offset


# ── Reading ───────────────────────────────────────────────────────────────────────────────────────────


def read_table(path: str | os.PathLike[str], x_columns: str, y_column: str, *, seed: int = 0,
               timeout: float = READ_TIMEOUT_S, row_budget: int = ROW_BUDGET_BYTES) -> Table:
    """Stream the file(s) at `path` once: x_columns comma-separated names or 0-based indices, y_column one."""
    files = resolve_files(path)
    accumulator: Accumulator | None = None
    names: tuple[str, ...] = ()
    formats: set[str] = set()
    for file in files:
        stream = GuardedInput(file, timeout)
        try:
            file_format, file_names, batches = _open_batches(file, stream, x_columns, y_column)
            formats.add(file_format)
            if accumulator is None:
                accumulator, names = Accumulator(len(file_names), seed, row_budget), file_names
            for batch in batches:
                accumulator.add(batch)
        finally:
            stream.close()
    assert accumulator is not None
    moments = accumulator.moments
    if moments.n == 0:
        raise GdvizInputError(f"'{path}' has a header row but no data rows")
    moments.check_scale(names)
    kind = " or ".join(sorted(formats))
    description = f"{kind} file {files[0]}" if len(files) == 1 else f"{len(files)} {kind} files {path}"
    kept = accumulator.kept is not None
    features, target = accumulator.columns()
    return Table(moments, features, target, kept, names, tuple(files), description)


def _open_batches(file: Path, stream: GuardedInput, x_columns: str,
                  y_column: str) -> tuple[str, tuple[str, ...], Iterator[np.ndarray]]:
    """('CSV' or 'Parquet', the selected columns' names, the batches of shape (rows, d + 1)), told by content."""
    if stream.regular and file.stat().st_size == 0:
        raise GdvizInputError(f"'{file}' is empty: a CSV file needs a header row and data rows")
    prefix = _peek(stream)
    if prefix.startswith(_PARQUET_MAGIC):
        if not stream.regular:
            raise GdvizInputError(f"'{file}' is Parquet data but not a regular file: Parquet needs a file")
        return ("Parquet", *_parquet_batches(file, x_columns, y_column))
    return ("CSV", *_csv_batches(file, stream, prefix, x_columns, y_column))


def _peek(stream: GuardedInput) -> bytes:
    try:
        return stream.peek(_PREFIX_BYTES)
    except (TimeoutError, OSError):
        assert stream.failure is not None
        raise stream.failure from None


# ── CSV ───────────────────────────────────────────────────────────────────────────────────────────────


def _prefix_text(file: Path, prefix: bytes) -> str:
    """The first bytes as text, or a one-line error: empty, UTF-16, binary, not UTF-8."""
    if not prefix.strip():
        raise GdvizInputError(f"'{file}' is empty: a CSV file needs a header row and data rows")
    if prefix.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GdvizInputError(f"'{file}' is UTF-16 text: save it as UTF-8 (a CSV file must be UTF-8 text)")
    if b"\x00" in prefix:
        raise GdvizInputError(f"'{file}' looks like a binary file (it has NUL bytes), not a CSV text file")
    bom = 3 if prefix.startswith(b"\xef\xbb\xbf") else 0
    try:
        return prefix[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        at = bom + error.start
        if len(prefix) < _PREFIX_BYTES or at < len(prefix) - 4:  # not merely a character cut by the prefix's end
            raise GdvizInputError(
                f"'{file}' is not UTF-8 text (byte 0x{prefix[at]:02x} at offset {at}): "
                "a CSV file must be UTF-8 text") from None
        return prefix[bom:at].decode("utf-8")


def _delimiter(lines: list[str]) -> str:
    """Comma, semicolon or tab, guessed by csv.Sniffer from the first lines; comma when it cannot tell."""
    try:
        return csv.Sniffer().sniff("\n".join(lines[:_SNIFF_LINES]), delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _header(file: Path, text: str, complete: bool) -> tuple[int, list[str], str]:
    """(the header's 1-based line number, its cells stripped, the delimiter) from the file's first bytes."""
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]  # the last line may be cut by the end of the prefix
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise GdvizInputError(f"'{file}': no header row within its first {_PREFIX_BYTES:,} bytes "
                              f"(a CSV line may hold at most {MAX_LINE_BYTES:,} bytes)")
    delimiter = _delimiter([line for _, line in numbered])
    number, line = numbered[0]
    header = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]
    if all(_is_number(cell) for cell in header):
        raise GdvizInputError(
            f"'{file}': the first row ({', '.join(header)}) looks like data, not a header of column names")
    return number, header, delimiter


def _column_index(file: Path, header: list[str], token: str, role: str) -> int:
    """The 0-based index of the column named `token` (a header name, else a 0-based index)."""
    if token == "":
        raise GdvizInputError(f"empty column name in the {role} column list for '{file}'")
    matches = [i for i, name in enumerate(header) if name == token]
    if len(matches) > 1:
        raise GdvizInputError(
            f"column name {token!r} appears {len(matches)} times in the header of '{file}' "
            f"(indices {', '.join(map(str, matches))}): select it by index")
    if matches:
        return matches[0]
    try:
        index = int(token)
    except ValueError:
        separators = (
            " (the header has a single column: separate columns with commas, semicolons or tabs)"
            if len(header) == 1 and len(header[0].split()) > 1 else ""
        )
        raise GdvizInputError(
            f"unknown {role} column {token!r} in '{file}': available columns are "
            f"{', '.join(header)}{closest_hint(token, header)}{separators}") from None
    if not 0 <= index < len(header):
        raise GdvizInputError(
            f"{role} column index {index} is out of range for '{file}': it has {len(header)} columns "
            f"(indices 0 to {len(header) - 1})")
    return index


def select_columns(file: Path, header: list[str], x_columns: str, y_column: str) -> list[int]:
    """The selected columns' indices: the x columns in the order given, then y."""
    tokens = x_columns.split(",")
    if len(tokens) > MAX_FEATURES:
        raise GdvizInputError(f"{len(tokens):,} x columns are past the limit of {MAX_FEATURES:,} features")
    x_indices = [_column_index(file, header, token.strip(), "x") for token in tokens]
    y_index = _column_index(file, header, y_column.strip(), "y")
    repeated = sorted({i for i in x_indices if x_indices.count(i) > 1})
    if repeated:
        raise GdvizInputError(f"x column {header[repeated[0]]!r} is listed more than once in {x_columns!r}")
    if y_index in x_indices:
        raise GdvizInputError(f"y column {header[y_index]!r} is also among the x columns {x_columns!r}")
    return [*x_indices, y_index]


def _csv_batches(file: Path, stream: GuardedInput, prefix: bytes, x_columns: str,
                 y_column: str) -> tuple[tuple[str, ...], Iterator[np.ndarray]]:
    header_line, header, delimiter = _header(file, _prefix_text(file, prefix), len(prefix) < _PREFIX_BYTES)
    columns = select_columns(file, header, x_columns, y_column)
    names = tuple(header[i] or f"column {i}" for i in columns)
    return names, _csv_stream(file, stream, header_line, header, delimiter, columns)


def _csv_stream(file: Path, stream: GuardedInput, header_line: int, header: list[str], delimiter: str,
                columns: list[int]) -> Iterator[np.ndarray]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    keys = [f"c{i}" for i in range(len(header))]
    read_options = pacsv.ReadOptions(skip_rows=header_line, column_names=keys, block_size=MAX_LINE_BYTES,
                                     use_threads=True)
    convert_options = pacsv.ConvertOptions(include_columns=[keys[i] for i in columns],
                                           column_types={keys[i]: pa.float64() for i in columns})
    try:
        reader = pacsv.open_csv(stream, read_options=read_options,
                                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                                convert_options=convert_options)
        for batch in reader:
            table = _batch_array(batch)
            if table.size and not _all_finite(table):
                raise _Refused("a value that is empty or not a finite number")
            yield table
    except (pa.ArrowException, OSError, TimeoutError, _Refused) as error:
        if stream.failure is not None:
            raise stream.failure from None
        _diagnose(file, stream, header_line, header, delimiter, columns)
        raise GdvizInputError(f"'{file}' cannot be read as CSV: {_first_line(error)}") from None


class _Refused(Exception):
    """A batch pyarrow read but gdviz does not accept (its cells are named by the diagnosis)."""


def _batch_array(batch: Any, names: tuple[str, ...] | None = None) -> np.ndarray:
    """A record batch's columns (those named, in that order) as one float64 array of shape (rows, columns), in
    column-major order so that per-column sums run over contiguous memory; nulls become NaN."""
    import pyarrow as pa

    columns = batch.columns if names is None else [batch.column(name) for name in names]
    table = np.empty((batch.num_rows, len(columns)), order="F")
    for j, column in enumerate(columns):
        table[:, j] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return table


def _all_finite(table: np.ndarray) -> bool:
    """No NaN (an empty cell, a null) and no ±inf, judged from each column's extremes (no table-sized mask)."""
    return bool(np.isfinite(table.max(axis=0)).all() and np.isfinite(table.min(axis=0)).all())


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


def _diagnose(file: Path, stream: GuardedInput, header_line: int, header: list[str], delimiter: str,
              columns: list[int]) -> None:
    """Re-read a regular file line by line (bounded memory) and raise the first problem with its row number."""
    if not stream.regular:
        return
    try:
        handle = open(file, "rb")  # noqa: SIM115 (closed below, lines are read one at a time)
    except OSError:
        return
    with handle:
        for number, line in _numbered_lines(file, handle):
            if number <= header_line:
                continue
            if line.count('"') % 2:
                raise GdvizInputError(f"'{file}' row {number} opens a quote (\") it does not close: a quoted cell "
                                      "must end on its own line")
            if line.strip():
                try:
                    cells = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]
                except csv.Error as error:
                    raise GdvizInputError(f"'{file}' row {number} is not valid CSV: {error}") from None
                _check_cells(file, number, cells, header, header_line, columns)


def _numbered_lines(file: Path, handle: Any) -> Iterator[tuple[int, str]]:
    """(1-based number, text) of each line, numbered as str.splitlines() splits them (a lone CR ends a line too),
    each physical line checked first (length, NUL bytes, UTF-8)."""
    number, offset = 0, 0
    for raw in iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""):
        _check_line(file, number + 1, raw, offset)
        offset += len(raw)
        for line in raw.decode("utf-8").splitlines() or [""]:
            number += 1
            yield number, line


def _check_line(file: Path, number: int, raw: bytes, offset: int) -> None:
    if len(raw) > MAX_LINE_BYTES:
        raise GdvizInputError(f"'{file}' row {number} is longer than {MAX_LINE_BYTES:,} bytes, the most a CSV line "
                              "may hold (an unclosed quote also makes one long line)")
    if b"\x00" in raw:
        raise GdvizInputError(f"'{file}' looks like a binary file (it has NUL bytes), not a CSV text file")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise GdvizInputError(
            f"'{file}' is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {offset + error.start}): "
            "a CSV file must be UTF-8 text") from None


def _check_cells(file: Path, number: int, cells: list[str], header: list[str], header_line: int,
                 columns: list[int]) -> None:
    if len(cells) != len(header):
        raise GdvizInputError(f"'{file}' row {number} has {len(cells)} cells, but the header (row {header_line}) "
                              f"has {len(header)}")
    for i in columns:
        _cell_value(file, number, header[i] or f"column {i}", cells[i])


def _cell_value(file: Path, number: int, column: str, cell: str) -> float:
    """One cell as a finite float, or an error naming its row (as in the file) and column."""
    where = f"'{file}' row {number}, column {column!r}"
    if cell == "":
        raise GdvizInputError(f"{where} is empty: every selected cell must be a number")
    try:
        value = float(cell)
    except ValueError:
        decimal_comma = " (write decimals with a point: 1.5, not 1,5)" if _is_number(cell.replace(",", ".", 1)) else ""
        raise GdvizInputError(f"{where}: {cell!r} is not a number{decimal_comma}") from None
    if not math.isfinite(value):
        raise GdvizInputError(f"{where}: {cell!r} is not a finite number (NaN and infinity are not accepted)")
    return value


# ── Parquet ───────────────────────────────────────────────────────────────────────────────────────────


def _parquet_batches(file: Path, x_columns: str, y_column: str) -> tuple[tuple[str, ...], Iterator[np.ndarray]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(file)
    except (pa.ArrowException, OSError) as error:
        raise GdvizInputError(f"'{file}' cannot be read as Parquet: {_first_line(error)}") from None
    header = list(parquet.schema_arrow.names)
    columns = select_columns(file, header, x_columns, y_column)
    for i in columns:
        kind = parquet.schema_arrow.field(i).type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)):
            raise GdvizInputError(f"'{file}' column {header[i]!r} holds {kind} values, not numbers")
    names = tuple(header[i] for i in columns)
    return names, _parquet_stream(file, parquet, names)


def _parquet_stream(file: Path, parquet: Any, names: tuple[str, ...]) -> Iterator[np.ndarray]:
    import pyarrow as pa

    seen = 0
    try:
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS, columns=list(dict.fromkeys(names))):
            table = _batch_array(batch, names)
            if not _all_finite(table):
                finite = np.isfinite(table)
                row, column = np.argwhere(~finite)[0]
                raise GdvizInputError(f"'{file}' row {seen + row + 1}, column {names[column]!r}: "
                                      f"{table[row, column]!r} is not a finite number (empty, NaN and infinity "
                                      "are not accepted)")
            seen += len(table)
            yield table
    except (pa.ArrowException, OSError) as error:
        raise GdvizInputError(f"'{file}' cannot be read as Parquet: {_first_line(error)}") from None
