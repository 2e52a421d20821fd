"""Stream the first sheet of an XLSX workbook in bounded memory and time.

openpyxl (even read-only) keeps every shared string as a Python object and
every parsed row element in its tree: a small hostile workbook grew the
server's memory far beyond its own size. This reader parses the XML parts
with expat callbacks (no tree at all), keeps the shared strings in one
compact buffer, and counts what it parses against limits derived from the
import's row limit, so that any file is read, or refused, within a known
cost.

Expat is run the way defusedxml runs it: a DOCTYPE (and so any entity
declaration, internal or external) refuses the part, and no external entity
is ever fetched, so XXE and entity expansion cannot happen.
"""

import posixpath
import re
import zipfile
from array import array
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
)

from odoo.exceptions import UserError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_DOCUMENT = DOC_REL_NS + "/officeDocument"
# Unpacked size of one part, whatever the archive's ratio: the sheet is
# streamed (this bounds time), shared strings are kept (this bounds memory),
# the workbook, relationships and styles are small in any real file.
SHEET_MAX_BYTES = 256 * 1024 * 1024
SHARED_STRINGS_MAX_BYTES = 96 * 1024 * 1024
META_MAX_BYTES = 16 * 1024 * 1024
# Excel's own limits: 16,384 columns (XFD), 32,767 characters in a cell.
MAX_COLUMNS = 16_384
CELL_MAX_CHARS = 32_767
# Real workbooks nest a few levels (worksheet > sheetData > row > c > is > r > t).
MAX_DEPTH = 24
# Parsing time grows with the XML elements: the element budget is this many
# per allowed row, so the largest legitimate file (a few dozen columns)
# passes and a hostile one is refused quickly.
ELEMENTS_PER_ROW = 64
# Text kept from the sheet (cells are yielded to the import, which holds
# them): the longest shared string repeated in every cell of a huge sheet
# must not become as many copies of it.
CHARS_PER_ROW = 1_000
READ_CHUNK = 64 * 1024
CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


class CellProblem(str):
    """A cell the import must not read as a value (a formula without a
    cached result, an error value): its text is the message for the row."""


def column_letters(index):
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters):
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class SharedStrings:
    """The shared-string table as one UTF-8 buffer and an offset array: a
    few bytes per string, far less than a list of Python strings."""

    def __init__(self):
        self._text = bytearray()
        self._ends = array("Q")
        self._cache_index, self._cache_value = -1, ""

    def append(self, text):
        self._text += text.encode()
        self._ends.append(len(self._text))

    def __len__(self):
        return len(self._ends)

    def __getitem__(self, index):
        # A column repeating one string yields the same object each time.
        if index == self._cache_index:
            return self._cache_value
        start = self._ends[index - 1] if index else 0
        value = self._text[start : self._ends[index]].decode()
        self._cache_index, self._cache_value = index, value
        return value


def unreadable(_, filename):
    """The refusal of a file that is no readable XLSX workbook (``_``: the
    translation function)."""
    return UserError(
        _(
            "The file %(file)s cannot be read as an Excel (XLSX) workbook: "
            "open it in your spreadsheet and save it again as XLSX or CSV.",
            file=filename,
        )
    )


class XlsxSheetReader:
    """``rows()`` yields (row number, [cell text or CellProblem, ...]) for
    each row element of the workbook's first sheet, empty ones included."""

    def __init__(self, archive, filename, translate, max_rows):
        self.archive = archive
        self.filename = filename
        self._ = translate
        self.elements_left = max(max_rows, 1000) * ELEMENTS_PER_ROW
        self.chars_left = max(max_rows, 1000) * CHARS_PER_ROW
        # Cells right of this column are not read (set once the header is known).
        self.width = MAX_COLUMNS
        workbook = self._workbook_path()
        sheet, shared, styles, self.epoch = self._workbook_parts(workbook)
        if not sheet:
            raise self._unreadable()
        self.sheet = sheet
        self.max_rows = max(max_rows, 1000)
        shared_refs = self._prescan_sheet()
        self.date_styles = self._read_date_styles(styles) if styles else set()
        self.shared = SharedStrings()
        if shared:
            self._prescan_shared_strings(shared, shared_refs)
            self.shared = self._read_shared_strings(shared)

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------

    def _unreadable(self):
        return unreadable(self._, self.filename)

    def _too_complex(self):
        return UserError(
            self._(
                "The file %(file)s holds far more content than a customer list of "
                "its size (cells, formatting or text): it is refused to protect the "
                "server. Copy the customer columns into a new sheet, or save it as "
                "CSV, and import that file.",
                file=self.filename,
            )
        )

    # ------------------------------------------------------------------
    # Parsing one part
    # ------------------------------------------------------------------

    def _member(self, name, max_bytes):
        """The archive's part ``name``, refused when it unpacks beyond
        ``max_bytes``."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise self._unreadable() from None
        if info.file_size > max_bytes:
            raise self._too_complex()
        return info

    def _parse(self, name, max_bytes, start=None, end=None, data=None):
        """Parse one whole part with the given callbacks."""
        for _chunk in self._parse_steps(name, max_bytes, start, end, data):
            pass

    def _parse_steps(self, name, max_bytes, start=None, end=None, data=None):
        """Feed one part of the archive to expat a chunk at a time, pausing
        (yielding) after each chunk.

        The part's size, the element budget, the depth limit and the refusal
        of any DOCTYPE are enforced here for every part. The unpacked size
        the zip directory declares is a true bound: Python's zipfile never
        returns more bytes than a member declares."""
        info = self._member(name, max_bytes)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        depth = 0

        def refuse_dtd(*_args):
            raise UserError(
                self._(
                    "The file %(file)s declares a document type or entities, which "
                    "no spreadsheet program writes: it is refused to protect the "
                    "server. Save it again as XLSX or CSV from your spreadsheet.",
                    file=self.filename,
                )
            )

        def on_start(tag, attrs):
            nonlocal depth
            depth += 1
            self.elements_left -= 1
            if depth > MAX_DEPTH or self.elements_left < 0:
                raise self._too_complex()
            if start:
                start(tag, attrs)

        def on_end(tag):
            nonlocal depth
            depth -= 1
            if end:
                end(tag)

        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        parser.ExternalEntityRefHandler = refuse_dtd
        parser.StartElementHandler = on_start
        parser.EndElementHandler = on_end
        if data:
            parser.CharacterDataHandler = data
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(READ_CHUNK):
                    parser.Parse(chunk, False)
                    yield
                parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
            raise self._unreadable() from error

    def _count(self, name, max_bytes, patterns):
        """How often each byte pattern occurs in a part, counted on the
        unpacked bytes at C speed: far cheaper than parsing, so that a part
        far beyond the budgets is refused before it is parsed."""
        info = self._member(name, max_bytes)
        counts = [0] * len(patterns)
        keep = max(len(pattern) for pattern in patterns) - 1
        tail = b""
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(1 << 20):
                    data = tail + chunk
                    for index, pattern in enumerate(patterns):
                        # Matches wholly inside the tail were counted already.
                        counts[index] += data.count(pattern) - tail.count(pattern)
                    tail = data[-keep:] if keep else b""
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise self._unreadable() from error
        return counts

    def _prescan_sheet(self):
        """Refuse a sheet with far more elements than the budget; return how
        many cells refer to a shared string."""
        tags, shared_refs = self._count(self.sheet, SHEET_MAX_BYTES, (b"<", b't="s"'))
        # Every element has at least one tag, most have two.
        if tags > 2 * self.elements_left:
            raise self._too_complex()
        return shared_refs

    def _prescan_shared_strings(self, part, shared_refs):
        """Refuse a shared-string table far larger than the cells using it:
        the first sheet's references, plus a customer list's worth for the
        other sheets of the workbook, which share the table."""
        strings = sum(
            self._count(part, SHARED_STRINGS_MAX_BYTES, (b"<si>", b"<si/>", b"<si "))
        )
        if strings > shared_refs + self.max_rows:
            raise self._too_complex()

    def _read_attributes(self, name, tag, keys):
        """[{key: value}] of every ``tag`` element of a small part."""
        found = []

        def start(element, attrs):
            if element == tag:
                found.append({key: attrs.get(key, "") for key in keys})

        self._parse(name, META_MAX_BYTES, start=start)
        return found

    # ------------------------------------------------------------------
    # Workbook structure
    # ------------------------------------------------------------------

    @staticmethod
    def _rels_path(part):
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    @staticmethod
    def _target(source, target):
        if target.startswith("/"):
            return target[1:]
        return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))

    def _relations(self, part):
        rels = self._rels_path(part)
        if rels not in self.archive.NameToInfo:
            return []
        return self._read_attributes(
            rels, f"{PKG_REL_NS} Relationship", ("Id", "Type", "Target")
        )

    def _workbook_path(self):
        for rel in self._relations(""):
            if rel["Type"] == OFFICE_DOCUMENT:
                return self._target("", rel["Target"])
        return "xl/workbook.xml"

    def _workbook_parts(self, workbook):
        """(first sheet, shared strings, styles, date epoch) part names."""
        sheets, date1904 = [], []

        def start(tag, attrs):
            if tag == f"{MAIN_NS} sheet" and not sheets:
                sheets.append(attrs.get(f"{DOC_REL_NS} id"))
            elif tag == f"{MAIN_NS} workbookPr":
                date1904.append(attrs.get("date1904") in ("1", "true"))

        self._parse(workbook, META_MAX_BYTES, start=start)
        targets = {}
        for rel in self._relations(workbook):
            target = self._target(workbook, rel["Target"])
            if target not in self.archive.NameToInfo:
                continue  # a dangling link: the part is simply absent
            targets[rel["Id"]] = target
            kind = rel["Type"].rsplit("/", 1)[-1]
            targets.setdefault(kind, targets[rel["Id"]])
        epoch = CALENDAR_MAC_1904 if any(date1904) else CALENDAR_WINDOWS_1900
        sheet = targets.get(sheets[0]) if sheets else None
        return sheet, targets.get("sharedStrings"), targets.get("styles"), epoch

    def _read_date_styles(self, styles):
        """Indexes of the cell formats that show a number as a date."""
        formats = dict(BUILTIN_FORMATS)
        cell_formats = []
        in_cell_xfs = []

        def start(tag, attrs):
            if tag == f"{MAIN_NS} numFmt":
                # A format without a numeric id cannot be referred to.
                format_id = attrs.get("numFmtId", "")
                if format_id.isdigit():
                    formats[int(format_id)] = attrs.get("formatCode", "")
            elif tag == f"{MAIN_NS} cellXfs":
                in_cell_xfs.append(True)
            elif tag == f"{MAIN_NS} xf" and in_cell_xfs:
                cell_formats.append(attrs.get("numFmtId", "0"))

        def end(tag):
            if tag == f"{MAIN_NS} cellXfs":
                in_cell_xfs.clear()

        self._parse(styles, META_MAX_BYTES, start=start, end=end)
        dates = set()
        for index, format_id in enumerate(cell_formats):
            try:
                code = formats.get(int(format_id), "")
            except ValueError:
                continue
            if code and is_date_format(code):
                dates.add(index)
        return dates

    def _read_shared_strings(self, part):
        """The table, text of each <si> without its phonetic (rPh) runs."""
        table = SharedStrings()
        si, t, rph = f"{MAIN_NS} si", f"{MAIN_NS} t", f"{MAIN_NS} rPh"
        state = {"text": None, "in_t": False, "in_rph": False, "length": 0}

        def start(tag, _attrs):
            if tag == si:
                state.update(text=[], length=0)
            elif tag == t and state["text"] is not None and not state["in_rph"]:
                state["in_t"] = True
            elif tag == rph:
                state["in_rph"] = True

        def end(tag):
            if tag == si and state["text"] is not None:
                table.append("".join(state["text"]))
                state["text"] = None
            elif tag == t:
                state["in_t"] = False
            elif tag == rph:
                state["in_rph"] = False

        def data(text):
            if state["in_t"]:
                state["length"] += len(text)
                if state["length"] > CELL_MAX_CHARS:
                    raise self._too_complex()
                state["text"].append(text)

        self._parse(part, SHARED_STRINGS_MAX_BYTES, start=start, end=end, data=data)
        return table

    # ------------------------------------------------------------------
    # The sheet
    # ------------------------------------------------------------------

    def rows(self):
        """Yield (row number, values) per row element. The parser is fed a
        chunk at a time and the rows each chunk ended are yielded before the
        next is read, so only a chunk's worth of rows is ever held."""
        handler = SheetHandler(self)
        for _chunk in self._parse_steps(
            self.sheet, SHEET_MAX_BYTES, handler.start, handler.end, handler.data
        ):
            yield from handler.ready
            handler.ready.clear()
        yield from handler.ready

    def _cell_value(self, cell, row):
        """The cell's text as the import reads it, or a CellProblem."""
        kind = cell["type"]
        raw = "".join(cell["v"])
        if cell["f"] and not cell["v"]:
            return CellProblem(
                self._(
                    "Cell %(cell)s holds a formula without its result: open the file "
                    "in your spreadsheet program and save it again, or replace the "
                    "formula by its value (copy, paste values).",
                    cell=self._cell_name(cell, row),
                )
            )
        if kind == "s":
            try:
                return self.shared[int(raw)].strip()
            except (ValueError, IndexError):
                raise self._unreadable() from None
        if kind == "inlineStr":
            return "".join(cell["t"]).strip()
        if kind in ("str", "d"):
            return raw.strip()
        if kind == "b":
            return "1" if raw.strip() in ("1", "true") else "0"
        if kind == "e":
            return CellProblem(
                self._(
                    "Cell %(cell)s holds the error %(error)s: correct the formula or "
                    "the value in the file.",
                    cell=self._cell_name(cell, row),
                    error=raw,
                )
            )
        return self._number_text(raw.strip(), cell["style"])

    def _number_text(self, raw, style):
        if not raw:
            return ""
        try:
            number = float(raw)
        except ValueError:
            return raw
        try:
            is_date = style is not None and int(style) in self.date_styles
        except ValueError:
            is_date = False
        if is_date:
            try:
                value = from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return raw
            if hasattr(value, "date") and value.time().isoformat() == "00:00:00":
                return value.date().isoformat()
            return value.isoformat(sep=" ") if hasattr(value, "date") else str(value)
        # Spreadsheets store customer numbers as numbers: 10001.0 is "10001".
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return raw

    @staticmethod
    def _cell_name(cell, row):
        return f"{column_letters(cell['column'])}{row}"

    def _cell_too_long(self, cell, row):
        return UserError(
            self._(
                "Cell %(cell)s of the file %(file)s holds more than %(max)s "
                "characters, more than a spreadsheet cell can: correct the cell.",
                cell=self._cell_name(cell, row),
                file=self.filename,
                max=CELL_MAX_CHARS,
            )
        )

    def _too_many_columns(self, row):
        return UserError(
            self._(
                "Row %(row)s of the file %(file)s goes beyond column %(column)s, "
                "the last a spreadsheet has: remove the extra columns.",
                row=row,
                file=self.filename,
                column=column_letters(MAX_COLUMNS - 1),
            )
        )


class SheetHandler:
    """The expat callbacks of the sheet: each <c> becomes a value of its
    row, each ended <row> a (number, values) pair in ``ready``."""

    ROW = f"{MAIN_NS} row"
    CELL = f"{MAIN_NS} c"
    TEXT = {f"{MAIN_NS} v": "v", f"{MAIN_NS} t": "t", f"{MAIN_NS} f": "f"}
    PHONETIC = f"{MAIN_NS} rPh"

    def __init__(self, reader):
        self.reader = reader
        self.ready = []
        self.row = 0
        self.cells = None
        self.column = -1
        self.cell = None
        self.text_kind = None
        self.in_phonetic = False

    def start(self, tag, attrs):
        if tag == self.CELL:
            if self.cells is not None:
                self._start_cell(attrs)
        elif tag == self.ROW:
            try:
                self.row = int(attrs.get("r", ""))
            except ValueError:
                self.row += 1
            self.cells, self.column = {}, -1
        elif tag in self.TEXT and self.cell is not None:
            kind = self.TEXT[tag]
            if kind == "f":
                self.cell["f"] = True
            elif not self.in_phonetic:
                self.text_kind = kind
        elif tag == self.PHONETIC:
            self.in_phonetic = True

    def _start_cell(self, attrs):
        match = CELL_REF.match(attrs.get("r", ""))
        column = column_index(match[1]) if match else self.column + 1
        if column >= MAX_COLUMNS:
            raise self.reader._too_many_columns(self.row)
        self.column = column
        self.cell = {
            "column": column,
            "type": attrs.get("t", "n"),
            "style": attrs.get("s"),
            "v": [],
            "t": [],
            "f": False,
            "length": 0,
        }

    def end(self, tag):
        if tag == self.CELL and self.cell is not None:
            self._end_cell()
        elif tag == self.ROW and self.cells is not None:
            cells = self.cells
            width = max(cells) + 1 if cells else 0
            self.ready.append((self.row, [cells.get(i, "") for i in range(width)]))
            self.cells = None
        elif tag in self.TEXT:
            self.text_kind = None
        elif tag == self.PHONETIC:
            self.in_phonetic = False

    def _end_cell(self):
        cell, self.cell = self.cell, None
        reader = self.reader
        if cell["column"] >= reader.width:
            return
        value = reader._cell_value(cell, self.row)
        if value:
            reader.chars_left -= len(value)
            if reader.chars_left < 0:
                raise reader._too_complex()
            self.cells[cell["column"]] = value

    def data(self, text):
        if self.text_kind:
            cell = self.cell
            cell["length"] += len(text)
            if cell["length"] > CELL_MAX_CHARS:
                raise self.reader._cell_too_long(cell, self.row)
            cell[self.text_kind].append(text)
