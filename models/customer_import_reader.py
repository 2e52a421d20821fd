"""Read a customer file (CSV or XLSX) row by row, with every file-level check.

Plain Python rather than a model, so that the benchmark can measure the parse
on its own. Messages are translated through the ``translate`` callable the
caller passes (``env._``).
"""

import codecs
import csv
import datetime
import io
import zipfile

from openpyxl import load_workbook

from odoo.exceptions import UserError

CSV_DELIMITERS = (",", ";", "\t")
ZIP_MAGIC = b"PK\x03\x04"
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Validating the encoding chunk by chunk keeps a second copy of the file out
# of memory.
DECODE_CHUNK = 1 << 20
# An XLSX holds a handful of XML parts; thousands of members are no workbook.
XLSX_MAX_MEMBERS = 10_000
# Below this size an XLSX is never a threat, whatever its ratio.
XLSX_UNZIP_FLOOR = 10 * 1024 * 1024


class CustomerFileReader:
    """One customer file: ``header`` (the first non-empty row, as written) and
    ``rows()``, which yields ``(row number, [cell text, ...])`` for each
    non-empty data row. Row numbers are the file's own (header = 1), so users
    find a reported row in their spreadsheet.

    Every refusal is a UserError raised before a row is returned (size, type,
    encoding, zip bomb, empty file) or while reading (damaged content, too
    many rows); the caller reads the whole file before it writes anything.
    """

    def __init__(
        self,
        data,
        filename,
        translate,
        max_bytes=30 * 1024 * 1024,
        max_rows=100_000,
        max_unzip_ratio=100,
    ):
        self._ = translate
        self.data = data or b""
        self.filename = filename or ""
        self.max_rows = max_rows
        if not self.data:
            raise UserError(self._("The file is empty: choose a CSV or XLSX file."))
        if len(self.data) > max_bytes:
            raise UserError(
                self._(
                    "The file %(file)s is %(size)s MB, more than the limit of "
                    "%(limit)s MB: split it into smaller files.",
                    file=self.filename,
                    size=round(len(self.data) / 1024 / 1024, 1),
                    limit=round(max_bytes / 1024 / 1024, 1),
                )
            )
        lower = self.filename.lower()
        if lower.endswith(".xls") or self.data.startswith(b"\xd0\xcf\x11\xe0"):
            raise UserError(
                self._(
                    "The file %(file)s is an old Excel (XLS) file: save it as "
                    "XLSX or CSV and import it again.",
                    file=self.filename,
                )
            )
        self.is_xlsx = self.data.startswith(ZIP_MAGIC) or lower.endswith(".xlsx")
        if self.is_xlsx:
            self._check_zip(max_unzip_ratio)
            self._book = self._open_xlsx()
            self._row_iter = self._xlsx_rows()
        else:
            self._row_iter = self._csv_rows()
        self.header = self._read_header()

    # ------------------------------------------------------------------
    # Public
    # ------------------------------------------------------------------

    def rows(self):
        """Yield (row number, values) for each non-empty data row."""
        width = len(self.header)
        count = 0
        for number, values in self._row_iter:
            if not any(values):
                continue
            count += 1
            if count > self.max_rows:
                self.close()
                raise UserError(
                    self._(
                        "The file %(file)s has more than %(limit)s rows: split "
                        "it into smaller files.",
                        file=self.filename,
                        limit=self.max_rows,
                    )
                )
            if len(values) < width:
                values = values + [""] * (width - len(values))
            yield number, values
        self.close()

    def close(self):
        book = getattr(self, "_book", None)
        if book is not None:
            book.close()
            self._book = None

    # ------------------------------------------------------------------
    # Header
    # ------------------------------------------------------------------

    def _read_header(self):
        for _number, values in self._row_iter:
            if any(values):
                # Trailing empty cells are spreadsheet padding, not columns.
                while values and not values[-1]:
                    values.pop()
                return values
        self.close()
        raise UserError(
            self._(
                "The file %(file)s has no header row: its first row must name "
                "the columns (external_ref, name, ...).",
                file=self.filename,
            )
        )

    # ------------------------------------------------------------------
    # CSV
    # ------------------------------------------------------------------

    def _csv_encoding(self):
        data = self.data
        if data.startswith(UTF8_BOM):
            return "utf-8-sig"
        if data.startswith(UTF16_BOMS):
            return "utf-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for start in range(0, len(data), DECODE_CHUNK):
                decoder.decode(data[start : start + DECODE_CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            # Every byte sequence is valid Latin-1: the fallback cannot fail.
            return "latin-1"
        return "utf-8"

    @staticmethod
    def _csv_delimiter(first_line):
        """The candidate that splits the header row into the most columns."""
        best, best_width = ",", 1
        for delimiter in CSV_DELIMITERS:
            width = len(next(csv.reader([first_line], delimiter=delimiter), []))
            if width > best_width:
                best, best_width = delimiter, width
        return best

    def _csv_rows(self):
        text = io.TextIOWrapper(
            io.BytesIO(self.data), encoding=self._csv_encoding(), newline=""
        )
        first_line = ""
        while not first_line.strip():
            line = text.readline()
            if not line:
                break
            first_line = line
        text.seek(0)
        reader = csv.reader(text, delimiter=self._csv_delimiter(first_line))
        try:
            for values in reader:
                yield reader.line_num, [value.strip() for value in values]
        except csv.Error as error:
            raise UserError(
                self._(
                    "The file %(file)s cannot be read as CSV near line "
                    "%(line)s (%(error)s): save it again as CSV (UTF-8).",
                    file=self.filename,
                    line=reader.line_num,
                    error=error,
                )
            ) from error

    # ------------------------------------------------------------------
    # XLSX
    # ------------------------------------------------------------------

    def _unreadable(self):
        return UserError(
            self._(
                "The file %(file)s cannot be read as an Excel (XLSX) workbook: "
                "open it in your spreadsheet and save it again as XLSX or CSV.",
                file=self.filename,
            )
        )

    def _check_zip(self, max_unzip_ratio):
        """Refuse an archive that unpacks far beyond its size, before openpyxl
        opens it. The sizes of the zip directory are trustworthy: Python's
        zipfile never returns more bytes than a member declares."""
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
            raise self._unreadable() from e
        unpacked = sum(member.file_size for member in members)
        limit = max(max_unzip_ratio * len(self.data), XLSX_UNZIP_FLOOR)
        if len(members) > XLSX_MAX_MEMBERS or unpacked > limit:
            raise UserError(
                self._(
                    "The file %(file)s unpacks to %(unpacked)s MB, far more than "
                    "its own %(size)s MB: it is refused as a possible zip bomb. "
                    "Save it again as XLSX or CSV from your spreadsheet.",
                    file=self.filename,
                    unpacked=round(unpacked / 1024 / 1024, 1),
                    size=round(len(self.data) / 1024 / 1024, 1),
                )
            )

    def _open_xlsx(self):
        try:
            book = load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
            if not book.worksheets:
                raise ValueError("no worksheet")
        except Exception as error:  # openpyxl raises anything on a damaged file
            raise self._unreadable() from error
        return book

    def _xlsx_rows(self):
        sheet = self._book.worksheets[0]
        # The dimension a writer records may be wrong: too small, it would
        # silently cut rows; too large, it would pad millions of empty ones.
        sheet.reset_dimensions()
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
                yield number, [self._cell_text(value) for value in cells]
        except UserError:
            raise
        except Exception as error:  # a damaged sheet fails half-way
            self.close()
            raise self._unreadable() from error

    @staticmethod
    def _cell_text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime.datetime):
            if value.time() == datetime.time(0):
                return value.date().isoformat()
            return value.isoformat(sep=" ")
        if isinstance(value, datetime.date | datetime.time):
            return value.isoformat()
        return str(value).strip()
