"""Hand-written XLSX files, hostile or odd, for the import's tests and for
bench/import_hostile_benchmark.py. Each part is written as a stream, so even
the benchmark's sizes never sit in memory whole."""

import io
import os
import zipfile

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
    '.org/package/2006/content-types"><Default Extension="rels" ContentType="'
    'application/vnd.openxmlformats-package.relationships+xml"/><Default '
    'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="'
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    '"/></Types>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
    f'xmlns:r="{REL}"><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_START = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>external_ref</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>name</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>city</t></is></c></row>'
)


def _write(archive, name, pieces):
    with archive.open(name, "w", force_zip64=True) as stream:
        buffer = []
        size = 0
        for piece in pieces:
            data = piece.encode() if isinstance(piece, str) else piece
            buffer.append(data)
            size += len(data)
            if size > 1 << 20:
                stream.write(b"".join(buffer))
                buffer, size = [], 0
        stream.write(b"".join(buffer))


def workbook(sheet, shared=None, padding=0, prologue=""):
    """XLSX bytes whose first sheet's sheetData is the ``sheet`` pieces
    (strings or an iterable of them). ``padding`` bytes of random data,
    stored uncompressed, make the whole archive's unzip ratio look harmless;
    ``prologue`` goes before the worksheet's root element."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if isinstance(sheet, str):
            sheet = [sheet]
        start = SHEET_START
        if prologue:
            start = start.replace("<worksheet", prologue + "<worksheet", 1)
        _write(
            archive,
            "xl/worksheets/sheet1.xml",
            _chain([start, HEADER_ROW], sheet, [SHEET_END]),
        )
        if shared is not None:
            _write(
                archive,
                "xl/sharedStrings.xml",
                _chain(
                    [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'],
                    shared,
                    ["</sst>"],
                ),
            )
        if padding:
            archive.writestr(
                zipfile.ZipInfo("xl/media/padding.bin"),
                os.urandom(padding),
                compress_type=zipfile.ZIP_STORED,
            )
    return stream.getvalue()


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


def data_row(number, ref, name, city="", extra=""):
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{ref}</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>{name}</t></is></c>'
        f'<c r="C{number}" t="inlineStr"><is><t>{city}</t></is></c>{extra}</row>'
    )


# ----------------------------------------------------------------------
# The hostile files (size parameters let the benchmark use real sizes)
# ----------------------------------------------------------------------


def empty_row_bomb(rows=2_000_000, padding=64 * 1024):
    """Millions of empty <row/> elements after one customer."""
    return workbook(
        _chain([data_row(2, "H1", "Hostile")], ("<row/>" for _ in range(rows))),
        padding=padding,
    )


def shared_strings_bomb(strings=3_000_000, padding=64 * 1024):
    """A shared-string table of millions of entries and a sheet using two."""
    return workbook(
        ['<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'],
        shared=("<si><t>x</t></si>" for _ in range(strings)),
        padding=padding,
    )


def huge_cell(chars=5_000_000):
    """One cell of millions of characters (Excel stops at 32,767)."""
    return workbook([data_row(2, "H1", "x" * chars)])


def many_columns(columns=20_000):
    """A row of more columns than a spreadsheet has (16,384)."""
    cells = "".join(
        f'<c t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(columns)
    )
    return workbook([f'<row r="2">{cells}</row>'])


def deep_nesting(depth=100_000):
    """Elements nested far deeper than any workbook."""
    return workbook([data_row(2, "H1", "Deep", extra="<x>" * depth + "</x>" * depth)])


def billion_laughs():
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    return workbook(
        [data_row(2, "H1", "&a9;")],
        prologue=f"<!DOCTYPE worksheet [{entities}]>",
    )


def external_entity(path="/etc/passwd"):
    return workbook(
        [data_row(2, "H1", "&xxe;")],
        prologue=f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{path}">]>',
    )


HOSTILE_FILES = {
    "empty_row_bomb": empty_row_bomb,
    "shared_strings_bomb": shared_strings_bomb,
    "huge_cell": huge_cell,
    "many_columns": many_columns,
    "deep_nesting": deep_nesting,
    "billion_laughs": billion_laughs,
    "external_entity": external_entity,
}
