"""Read a customer file (CSV or XLSX) row by row, with every file-level check.

Plain Python rather than a model, so that the benchmark can measure the parse
on its own. Messages are translated through the ``translate`` callable the
caller passes (``env._``).
"""

import codecs
import csv
import io
import re
import zipfile

from odoo.exceptions import UserError

from .customer_import_xlsx import CELL_MAX_CHARS, XlsxSheetReader, unreadable

CSV_DELIMITERS = (",", ";", "\t")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# What Excel, LibreOffice and ERP exports write, tried in this order. Windows
# files without BOM are Windows-1252, not Latin-1: Latin-1 reads its € „ “ –
# as control characters, and accepts any byte, so it would never refuse.
CSV_ENCODINGS = ("UTF-8", "UTF-16", "Windows-1252")
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
# UTF-8 of the characters of European text: accented letters, no-break
# space and signs (U+00A0-U+00FF), dashes, quotes and the ellipsis, the
# euro. Read as Windows-1252 they are "Ã¤", "â€“": pairs that real text
# never holds, unlike any two-byte sequence ("ß“" is \xdf\x93).
UTF8_MULTIBYTE = re.compile(
    rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x93-\xba]|\xe2\x82\xac"
)
# Validating the encoding chunk by chunk keeps a second copy of the file out
# of memory.
DECODE_CHUNK = 1 << 20
# An XLSX holds a handful of XML parts; thousands of members are no workbook.
XLSX_MAX_MEMBERS = 10_000
# Below this size an XLSX is never a threat, whatever its ratio.
XLSX_UNZIP_FLOOR = 10 * 1024 * 1024


def check_file_size(size, filename, translate, max_bytes):
    """Refuse a file of ``size`` bytes over ``max_bytes``: the one size
    check of the wizard's upload, of XML-RPC clients and of the reader."""
    if size > max_bytes:
        raise UserError(
            translate(
                "The file %(file)s is %(size)s MB, more than the limit of "
                "%(limit)s MB: split it into smaller files.",
                file=filename or "",
                size=round(size / 1024 / 1024, 1),
                limit=round(max_bytes / 1024 / 1024, 1),
            )
        )


def base64_size(data):
    """The size of the bytes ``data`` (base64, str or bytes) encodes,
    without decoding it."""
    data = data.encode() if isinstance(data, str) else data
    data = data.rstrip(b"\n\r ")
    return len(data) * 3 // 4 - len(data) + len(data.rstrip(b"="))


def zip_bomb_size(members, size, max_unzip_ratio):
    """The unpacked size an archive of ``size`` bytes declares if that makes
    it a possible zip bomb, else 0: too many members, more than
    ``max_unzip_ratio`` times its own size in all, or one large member more
    than that many times its compressed size (random padding next to a
    bomb evens out the whole archive's ratio, not the bomb's). Read from
    the zip directory alone, before any member is unpacked; the sizes are
    trustworthy, as Python's zipfile never returns more bytes than a member
    declares."""
    unpacked = sum(member.file_size for member in members)
    limit = max(max_unzip_ratio * size, XLSX_UNZIP_FLOOR)
    if (
        len(members) > XLSX_MAX_MEMBERS
        or unpacked > limit
        or any(
            member.file_size > XLSX_UNZIP_FLOOR
            and member.file_size > max_unzip_ratio * max(member.compress_size, 1)
            for member in members
        )
    ):
        return max(unpacked, 1)
    return 0


class CustomerFileReader:
    """One customer file: ``header`` (the first non-empty row, as written) and
    ``rows()``, which yields ``(row number, [cell text, ...])`` for each
    non-empty data row. Row numbers are the file's own (header = 1), so users
    find a reported row in their spreadsheet. An XLSX cell the import must
    not read as a value (a formula without result, an error) is a
    ``CellProblem``, whose text says why.

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
        check_file_size(len(self.data), self.filename, self._, max_bytes)
        self.is_xlsx = self._check_kind()
        if self.is_xlsx:
            archive = self._check_zip(max_unzip_ratio)
            self._xlsx = XlsxSheetReader(archive, self.filename, self._, max_rows)
            self._row_iter = self._xlsx.rows()
        else:
            self._row_iter = self._csv_rows()
        self.header = self._read_header()
        if self.is_xlsx:
            self._xlsx.width = len(self.header)

    # ------------------------------------------------------------------
    # Public
    # ------------------------------------------------------------------

    def rows(self):
        """Yield (row number, values) for each non-empty data row.

        Every row after the header counts toward the row limit, empty ones
        too: a sheet of millions of empty rows is refused as soon as it
        passes the limit instead of being read to its end."""
        width = len(self.header)
        count = 0
        for number, values in self._row_iter:
            count += 1
            if count > self.max_rows:
                raise UserError(
                    self._(
                        "The file %(file)s has more rows than the limit of "
                        "%(limit)s (empty rows count too): split it into smaller "
                        "files, or delete the empty rows below the customers.",
                        file=self.filename,
                        limit=self.max_rows,
                    )
                )
            if not any(values):
                continue
            if len(values) < width:
                values = values + [""] * (width - len(values))
            yield number, values

    def close(self):
        """Kept for callers of the openpyxl-based reader: nothing to free."""

    # ------------------------------------------------------------------
    # What the file is
    # ------------------------------------------------------------------

    def _content_kind(self):
        """What the bytes are, whatever the file is named: "xlsx", "text",
        or the name of a kind of file the import cannot read."""
        data = self.data
        head = data[:2048].lstrip(UTF8_BOM).lstrip().lower()
        if data.startswith(ZIP_MAGIC):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    names = set(archive.namelist())
                    mimetype = (
                        archive.read("mimetype")[:100] if "mimetype" in names else b""
                    )
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
                return "xlsx"  # damaged: reading it says so
            if any(name.startswith("xl/") for name in names):
                return "xlsx"
            if b"opendocument.spreadsheet" in mimetype:
                return self._("an OpenDocument spreadsheet (ODS)")
            if any(name.startswith("word/") for name in names):
                return self._("a Word document (DOCX)")
            return self._("a ZIP archive")
        if data.startswith(OLE_MAGIC):
            return self._("an old Excel (XLS) file")
        if head.startswith(b"%pdf"):
            return self._("a PDF document")
        if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]:
            return self._("an HTML page")
        if head.startswith(b"<?xml"):
            return self._("an XML file")
        if not data.startswith(UTF16_BOMS) and b"\0" in data[:8192]:
            return self._("a binary file")
        return "text"

    def _check_kind(self):
        """True for an XLSX. Refuses a file whose content is not a CSV or an
        XLSX, or not what its name says, naming what was found."""
        kind = self._content_kind()
        lower = self.filename.lower()
        named = None
        if lower.endswith((".xlsx", ".xlsm")):
            named = "xlsx"
        elif lower.endswith(CSV_EXTENSIONS):
            named = "text"
        elif lower.endswith(".xls"):
            named = "xls"
        if kind not in ("xlsx", "text"):
            raise UserError(
                self._(
                    "The file %(file)s is %(found)s, not a customer list: save the "
                    "list as XLSX or CSV and import that file.",
                    file=self.filename,
                    found=kind,
                )
            )
        if named and named != kind:
            found = (
                self._("an Excel (XLSX) workbook")
                if kind == "xlsx"
                else self._("a text (CSV) file")
            )
            raise UserError(
                self._(
                    "The file %(file)s is named %(extension)s but is %(found)s: "
                    "give it the right extension, or export the list again.",
                    file=self.filename,
                    extension="." + lower.rsplit(".", 1)[-1],
                    found=found,
                )
            )
        return kind == "xlsx"

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

    def _decodes(self, encoding):
        """Whether the whole file decodes; chunk by chunk, so that no second
        copy of the file is held."""
        return self._first_undecodable(encoding) is None

    def _first_undecodable(self, encoding):
        """The offset of the first byte that does not decode, or None."""
        decoder = codecs.getincrementaldecoder(encoding)()
        data = self.data
        start = pending = 0
        try:
            for start in range(0, len(data), DECODE_CHUNK):
                # Bytes of a character cut at the previous chunk's end.
                pending = len(decoder.getstate()[0])
                decoder.decode(data[start : start + DECODE_CHUNK])
            start, pending = len(data), len(decoder.getstate()[0])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return start - pending + error.start
        return None

    def _line_of(self, offset):
        return self.data.count(b"\n", 0, offset) + 1

    def _check_not_mixed(self):
        """Refuse a file that is not UTF-8 but holds UTF-8 characters: part
        of it was written in another encoding (Windows-1252) and no single
        encoding reads it right ("Bergbäckerei" would import as
        "BergbÃ¤ckerei")."""
        bad = self._first_undecodable("utf-8")
        utf8 = UTF8_MULTIBYTE.search(self.data)
        if bad is None or utf8 is None:
            return
        raise UserError(
            self._(
                "The file %(file)s mixes encodings: line %(line)s is not UTF-8 "
                "while line %(utf8_line)s is, and no one of the encodings "
                "tried (%(encodings)s) reads the whole file. Save the whole "
                "list again as CSV (UTF-8).",
                file=self.filename,
                line=self._line_of(bad),
                utf8_line=self._line_of(utf8.start()),
                encodings=", ".join(CSV_ENCODINGS),
            )
        )

    def _csv_encoding(self):
        """The first of CSV_ENCODINGS the file is written in: a BOM names
        UTF-8 or UTF-16; without one, UTF-8, else Windows-1252."""
        data = self.data
        if data.startswith(UTF8_BOM):
            candidates = ["utf-8-sig"]
        elif data.startswith(UTF16_BOMS):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8", "cp1252"]
            self._check_not_mixed()
        for encoding in candidates:
            if self._decodes(encoding):
                return encoding
        raise UserError(
            self._(
                "The file %(file)s is not a text file in any of the encodings "
                "%(encodings)s: save it again as CSV (UTF-8).",
                file=self.filename,
                encodings=", ".join(CSV_ENCODINGS),
            )
        )

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
            # Python's csv refuses a field over its process-wide limit
            # (odoo-bin raises it to 500 MB; other runners keep 128 KB):
            # a cell far beyond what a spreadsheet cell holds.
            if "field larger than field limit" in str(error):
                raise UserError(
                    self._(
                        "Line %(line)s of the file %(file)s holds a value of "
                        "more than %(max)s characters, more than a spreadsheet "
                        "cell can: correct the cell.",
                        line=reader.line_num,
                        file=self.filename,
                        max=CELL_MAX_CHARS,
                    )
                ) from error
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

    def _check_zip(self, max_unzip_ratio):
        """The archive, unless it unpacks far beyond its size (see
        zip_bomb_size)."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(self.data))
            members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
            raise unreadable(self._, self.filename) from e
        unpacked = zip_bomb_size(members, len(self.data), max_unzip_ratio)
        if unpacked:
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
        return archive
