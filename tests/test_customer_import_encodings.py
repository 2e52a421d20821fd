from odoo.exceptions import UserError

from .import_common import CustomerImportCase

CAFE = "Café „Edelweiß“ – 5€"

# The bytes each writer produces for the same two-row list, as saved:
# header "external_ref;name;city" (or commas, or tabs), then E1, CAFE, Wien.
WRITERS = {
    # Excel, "CSV UTF-8 (comma delimited)" with a German locale: BOM, ";".
    "excel_csv_utf8": (
        b"\xef\xbb\xbfexternal_ref;name;city\r\n"
        b"E1;Caf\xc3\xa9 \xe2\x80\x9eEdelwei\xc3\x9f\xe2\x80\x9c \xe2\x80\x93 "
        b"5\xe2\x82\xac;Wien\r\n"
    ),
    # Excel, "CSV (semicolon delimited)" on Windows: Windows-1252, no BOM.
    "excel_csv_windows": (
        b"external_ref;name;city\r\nE1;Caf\xe9 \x84Edelwei\xdf\x93 \x96 5\x80;Wien\r\n"
    ),
    # Excel, "Unicode Text": UTF-16 LE with BOM, tab separated.
    "excel_unicode_text": (
        "\ufeffexternal_ref\tname\tcity\r\nE1\t" + CAFE + "\tWien\r\n"
    ).encode("utf-16-le"),
    # LibreOffice Calc, "Text CSV" with its defaults: UTF-8 without BOM,
    # comma, text in quotes when needed, LF line ends.
    "libreoffice_utf8": (
        b'external_ref,name,city\nE1,"Caf\xc3\xa9 \xe2\x80\x9eEdelwei\xc3\x9f'
        b'\xe2\x80\x9c \xe2\x80\x93 5\xe2\x82\xac",Wien\n'
    ),
    # An ERP export in UTF-16 big endian with BOM.
    "erp_utf16_be": ("\ufeffexternal_ref,name,city\r\nE1," + CAFE + ",Wien\r\n").encode(
        "utf-16-be"
    ),
    # An ERP export in Windows-1252 with quoted fields and commas.
    "erp_windows_1252": (
        b'"external_ref","name","city"\r\n'
        b'"E1","Caf\xe9 \x84Edelwei\xdf\x93 \x96 5\x80","Wien"\r\n'
    ),
}


class TestCsvEncodings(CustomerImportCase):
    def _created(self):
        return self.Partner.search(
            [("external_ref", "=", "E1"), ("user_id", "=", self.huber.id)]
        )

    def test_each_writer_read_right(self):
        for writer, data in WRITERS.items():
            with self.subTest(writer=writer), self.env.cr.savepoint() as savepoint:
                self._import(self.huber, data, filename="customers.csv")
                customer = self._created()
                self.assertEqual(customer.name, CAFE)
                self.assertEqual(customer.city, "Wien")
                savepoint.rollback()

    def test_windows_1252_not_latin1(self):
        # Latin-1 would read \x84 \x93 \x96 \x80 as control characters.
        self._import(self.huber, WRITERS["excel_csv_windows"])
        self.assertNotIn("\x80", self._created().name)
        self.assertEqual(self._created().name, CAFE)

    def test_no_known_encoding_refused_naming_those_tried(self):
        # Invalid UTF-8, and 0x81 / 0x8D are undefined in Windows-1252.
        for data in (
            b"external_ref;name\r\nE1;Caf\x81\x8d\r\n",
            b"\xff\xfeext\x00" + b"\x00\xd8",  # UTF-16 with a broken surrogate
        ):
            with self.subTest(data=data):
                before = self._table_state()
                wizard = self._wizard(self.huber, data, filename="customers.csv")
                with self.assertRaisesRegex(
                    UserError,
                    "not a text file in any of the encodings UTF-8, UTF-16, "
                    "Windows-1252",
                ):
                    wizard.action_preview()
                self.assertEqual(self._table_state(), before)

    def test_mixed_utf8_and_windows_1252_refused_naming_the_line(self):
        data = (
            b"external_ref;name;city\r\n"
            b"E1;Bergb\xc3\xa4ckerei;Wien\r\n"  # UTF-8
            b"E2;M\xfcller;Graz\r\n"  # Windows-1252
        )
        before = self._table_state()
        wizard = self._wizard(self.huber, data, filename="customers.csv")
        with self.assertRaisesRegex(
            UserError,
            "mixes encodings: line 3 is not UTF-8 while line 2 is, and no one "
            r"of the encodings tried \(UTF-8, UTF-16, Windows-1252\)",
        ):
            wizard.action_preview()
        self.assertEqual(self._table_state(), before)
