import io
import zipfile
from unittest.mock import patch

from openpyxl import Workbook

from odoo.exceptions import UserError

from ..models import customer_import_xlsx
from ..models.customer_import_log import count_rows_over
from . import hostile_xlsx
from .import_common import CustomerImportCase

CAFE = "Café „Edelweiß“ – 5€"


class ImportFileCase(CustomerImportCase):
    def setUp(self):
        super().setUp()
        # The reader's refusals at once: a file over the background threshold
        # would be queued and refused by the job with the same reader.
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_background_rows", "10000000"
        )

    def _assert_refused(self, data, message, filename="customers.xlsx"):
        """Preview and import both refuse the file and write nothing."""
        before = self._table_state()
        wizard = self._wizard(self.huber, data, filename=filename)
        for method in ("action_preview", "action_import"):
            with self.assertRaisesRegex(UserError, message):
                getattr(wizard, method)()
        self.assertEqual(self._table_state(), before)

    def _set_limit(self, key, value):
        self.env["ir.config_parameter"].set_param(
            f"crm_customer_ownership.import_{key}", str(value)
        )

    def _created(self, ref):
        return self.Partner.search(
            [("external_ref", "=", ref), ("user_id", "=", self.huber.id)]
        )


class TestHostileXlsx(ImportFileCase):
    """Files built to exhaust the server are refused early and cheaply
    (bench/import_hostile_benchmark.py measures their peak memory)."""

    def test_empty_row_bomb_refused_at_the_row_limit(self):
        # Empty rows used to be skipped before the limit counted them.
        self._set_limit("max_rows", 1000)
        self._assert_refused(
            hostile_xlsx.empty_row_bomb(rows=5000, padding=0),
            r"more rows than the limit of 1000 \(empty rows count too\)",
        )

    def test_rows_within_the_limit_are_read(self):
        self._set_limit("max_rows", 1000)
        data = hostile_xlsx.empty_row_bomb(rows=500, padding=0)
        wizard = self._preview(self.huber, data, filename="customers.xlsx")
        self.assertEqual(wizard.count_create, 1)

    def test_shared_strings_bomb_refused(self):
        self._set_limit("max_rows", 1000)
        self._assert_refused(
            hostile_xlsx.shared_strings_bomb(strings=100_000, padding=0),
            "far more content than a customer list",
        )

    def test_shared_strings_read(self):
        data = self._xlsx([("S1", CAFE, "Wien")])
        self._import(self.huber, data, filename="customers.xlsx")
        self.assertEqual(self._created("S1").name, CAFE)

    def test_huge_cell_refused_naming_the_cell(self):
        self._assert_refused(
            hostile_xlsx.huge_cell(chars=100_000),
            "Cell B2 of the file customers.xlsx holds more than 32767 characters",
        )

    def test_huge_shared_string_refused(self):
        data = hostile_xlsx.workbook(
            ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>'],
            shared=["<si><t>" + "x" * 40_000 + "</t></si>"],
        )
        self._assert_refused(data, "far more content than a customer list")

    def test_long_string_repeated_in_many_cells_refused(self):
        # One 30,000-character shared string in 40 cells: a small file that
        # would become 1.2 million characters of values, over the text
        # budget of 1,000 rows.
        self._set_limit("max_rows", 1000)
        rows = [
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>K{i}</t></is></c>'
            f'<c r="B{i}" t="s"><v>0</v></c></row>'
            for i in range(2, 42)
        ]
        data = hostile_xlsx.workbook(
            rows, shared=["<si><t>" + "x" * 30_000 + "</t></si>"]
        )
        self._assert_refused(data, "far more content than a customer list")

    def test_twenty_thousand_columns_refused(self):
        self._assert_refused(
            hostile_xlsx.many_columns(columns=20_000),
            "Row 2 of the file customers.xlsx goes beyond column XFD",
        )

    def test_deep_nesting_refused(self):
        self._assert_refused(
            hostile_xlsx.deep_nesting(depth=10_000),
            "far more content than a customer list",
        )

    def test_entity_expansion_and_external_entities_refused(self):
        for data in (hostile_xlsx.billion_laughs(), hostile_xlsx.external_entity()):
            with self.subTest(data=data[:20]):
                self._assert_refused(data, "declares a document type or entities")

    def test_part_larger_than_its_absolute_limit_refused(self):
        # The whole archive's ratio passes (the padding); the sheet alone
        # unpacks beyond what any customer list needs.
        self.patch(customer_import_xlsx, "SHEET_MAX_BYTES", 64 * 1024)
        data = hostile_xlsx.empty_row_bomb(rows=20_000, padding=0)
        self._assert_refused(data, "far more content than a customer list")


class TestXlsxRefusedBeforeUnpacking(ImportFileCase):
    """The zip directory decides before any part is unpacked, for the
    background row pre-count as for the reader; the pre-count unpacks a
    bounded amount of a file it cannot refuse."""

    @staticmethod
    def _padded_bomb():
        # A 12 MB sheet of empty rows, a few kB packed, beside random
        # padding that brings the whole archive's ratio under the limit.
        return hostile_xlsx.workbook(
            ("<row/>" for _ in range(2_000_000)), padding=300 * 1024
        )

    def test_padded_bomb_refused_from_the_directory(self):
        data = self._padded_bomb()
        unpacking = AssertionError("a part was unpacked")
        with patch.object(zipfile.ZipFile, "open", side_effect=unpacking):
            self.assertFalse(count_rows_over(data, 10))
            self._assert_refused(data, "refused as a possible zip bomb")

    def test_precount_unpacks_a_bounded_amount(self):
        # Three rows of long cells: far more bytes than rows.
        rows = [hostile_xlsx.data_row(n, f"K{n}", "x" * 30_000) for n in range(2, 5)]
        data = hostile_xlsx.workbook(rows)
        self.assertTrue(count_rows_over(data, 5))
        self.assertFalse(count_rows_over(data, 50))


class TestXlsxFormulas(ImportFileCase):
    def _formula_file(self, cell):
        return hostile_xlsx.workbook(
            [f'<row r="2"><c r="A2" t="inlineStr"><is><t>F1</t></is></c>{cell}</row>']
        )

    def test_formula_with_cached_value_gives_the_value(self):
        data = self._formula_file(
            '<c r="B2" t="str"><f>CONCAT("Alpen","blick")</f><v>Alpenblick</v></c>'
        )
        self._import(self.huber, data, filename="customers.xlsx")
        self.assertEqual(self._created("F1").name, "Alpenblick")

    def test_formula_without_cached_value_is_a_row_error(self):
        customer = self.customers_huber[0]
        for cell in (
            '<c r="B2"><f>CONCAT("Alpen","blick")</f></c>',
            '<c r="B2"><f>CONCAT("Alpen","blick")</f><v></v></c>',
        ):
            with self.subTest(cell=cell):
                data = self._formula_file(cell).replace(b"F1", b"H001")
                before = self._table_state()
                wizard = self._preview(self.huber, data, filename="customers.xlsx")
                error = self._lines(wizard, "error")
                self.assertEqual(error.row, 2)
                self.assertIn(
                    "Cell B2 holds a formula without its result", error.message
                )
                self.assertIn("save it again", error.message)
                with self.assertRaisesRegex(UserError, "Nothing was imported"):
                    wizard.action_import()
                self.assertEqual(self._table_state(), before)
                self.assertEqual(customer.name, "Huber Customer 1")

    def test_formula_written_by_openpyxl_has_no_value(self):
        # What many libraries and ERPs write: the formula, never its result.
        book = Workbook()
        book.active.append(["external_ref", "name"])
        book.active.append(["F2", '=UPPER("x")'])
        stream = io.BytesIO()
        book.save(stream)
        wizard = self._preview(self.huber, stream.getvalue(), filename="c.xlsx")
        self.assertIn("Cell B2", self._lines(wizard, "error").message)

    def test_error_value_is_a_row_error(self):
        data = self._formula_file('<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
        wizard = self._preview(self.huber, data, filename="customers.xlsx")
        self.assertIn(
            "Cell B2 holds the error #DIV/0!", self._lines(wizard, "error").message
        )


class TestFileKinds(ImportFileCase):
    """A file whose content is not what its name says is refused, saying
    what it is."""

    def test_pdf_refused(self):
        self._assert_refused(
            b"%PDF-1.7\n1 0 obj\n", "customers.csv is a PDF document", "customers.csv"
        )

    def test_html_named_xlsx_refused(self):
        self._assert_refused(
            b"<!DOCTYPE html><html><body><table></table></body></html>",
            "customers.xlsx is an HTML page",
        )

    def test_csv_named_xlsx_refused(self):
        self._assert_refused(
            self._csv([("K1", "Name", "", "", "")]),
            r"customers.xlsx is named \.xlsx but is a text \(CSV\) file",
        )

    def test_xlsx_named_csv_refused(self):
        self._assert_refused(
            self._xlsx([("K1", "Name", "", "", "")]),
            r"customers.csv is named \.csv but is an Excel \(XLSX\) workbook",
            "customers.csv",
        )

    def test_ods_refused(self):
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr(
                "mimetype", "application/vnd.oasis.opendocument.spreadsheet"
            )
            archive.writestr("content.xml", "<x/>")
        self._assert_refused(
            stream.getvalue(), "is an OpenDocument spreadsheet", "customers.ods"
        )

    def test_binary_refused(self):
        self._assert_refused(bytes(range(256)) * 4, "is a binary file", "c.csv")
