import base64
import csv
import random
import string
import time
import tracemalloc

from odoo.exceptions import UserError

from ..compat import PARTNER_HAS_MOBILE, call_kw
from ..models import customer_import
from .import_common import CustomerImportCase


class TestImportErrors(CustomerImportCase):
    """Refusals say what is wrong, where (row and column) and how to fix it,
    listing the first problems only."""

    def test_unknown_salesperson_id(self):
        Wizard = self.env["customer.import.wizard"].with_user(self.sales_manager)
        vals = {
            "file": base64.b64encode(self._csv([("N1", "New", "", "", "")])),
            "filename": "c.csv",
            "user_id": 999_999_999,
        }
        with self.assertRaisesRegex(
            UserError, "There is no salesperson with the id 999999999"
        ):
            call_kw(Wizard, "create", [vals], {})
        with self.assertRaisesRegex(UserError, "no salesperson with the id 999999999"):
            self.env["customer.import"]._plan_import(
                b"external_ref\r\nN1\r\n",
                "c.csv",
                self.env["res.users"].browse(999_999_999),
            )

    def test_column_the_user_may_not_change(self):
        # signup_type is stored plain text, restricted to access administrators.
        data = self._csv(
            [("N1", "New", "", "", "", "signup")],
            header=(*self.HEADER, "signup_type"),
        )
        wizard = self._wizard(self.huber, data)
        with self.assertRaisesRegex(
            UserError, r"columns you may not change \(F \(signup_type\)\)"
        ):
            wizard.action_preview()

    def test_protected_column_named_with_its_position(self):
        data = self._csv(
            [("N1", "New", "", "", "", "x")], header=(*self.HEADER, "user_id")
        )
        with self.assertRaisesRegex(
            UserError, r"columns an import cannot set \(F \(user_id\)"
        ):
            self._wizard(self.huber, data).action_preview()

    def test_many_unknown_columns_listed_first_ten(self):
        header = (*self.HEADER, *(f"extra{i}" for i in range(30)))
        data = self._csv([("N1", "New", "", "", "", *[""] * 30)], header=header)
        with self.assertRaises(UserError) as caught:
            self._wizard(self.huber, data).action_preview()
        message = str(caught.exception)
        self.assertIn("F (extra0)", message)
        self.assertIn("O (extra9)", message)
        self.assertNotIn("extra10", message)
        self.assertIn("others not listed: 20", message)

    def test_row_errors_name_row_and_column_and_refusal_lists_first(self):
        rows = [(f"N{i}", f"New {i}", "", "", "XX") for i in range(15)]
        wizard = self._preview(self.huber, self._csv(rows))
        self.assertEqual(wizard.count_error, 15)
        first = wizard.line_ids.sorted("row")[0]
        self.assertEqual(first.row, 2)
        self.assertIn("Column E (country_code): Unknown country code XX", first.message)
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        message = str(caught.exception)
        self.assertIn("Rows with errors: 15", message)
        self.assertIn("row 2: Column E (country_code)", message)
        self.assertIn("row 11:", message)
        self.assertNotIn("row 12:", message)
        self.assertIn("others not listed: 5", message)


class TestCellLimits(CustomerImportCase):
    """A cell no field can hold is a row error naming the row and the
    column, not a database error."""

    def _preview_errors(self, rows):
        wizard = self._preview(self.huber, self._csv(rows))
        return wizard.line_ids.filtered(lambda line: line.action == "error")

    def test_long_name_is_a_row_error(self):
        line = self._preview_errors([("N1", "x" * 100_000, "", "", "")])
        self.assertEqual(line.row, 2)
        self.assertIn(
            "Column B (name): the value has 100000 characters, more than the "
            "32767 a cell may hold",
            line.message,
        )
        with self.assertRaisesRegex(UserError, "row 2: Column B \\(name\\)"):
            self._import(self.huber, self._csv([("N1", "x" * 100_000, "", "", "")]))

    def test_nul_character_after_8_kb_is_a_row_error(self):
        rows = [(f"N{i}", f"Customer {i}", "", "Wien", "AT") for i in range(400)]
        rows.append(("N400", "Bad\x00Name", "", "", ""))
        data = self._csv(rows)
        self.assertGreater(data.index(b"\x00"), 8192)
        line = self._preview_errors(rows)
        self.assertEqual(line.row, 402)
        self.assertIn("Column B (name): the value holds a NUL character", line.message)


class TestIndexedValueLimits(CustomerImportCase):
    """A value of a column a database index holds is held to what one index
    entry carries, in bytes: random text does not compress, and the
    database refused it with a raw ProgramLimitExceeded."""

    HEADER = ("external_ref", "name", "company_name", "ref", "city")

    def setUp(self):
        super().setUp()
        self.limits = self.env["customer.import"]._indexed_value_limits()
        self.entry = (
            customer_import.BTREE_ENTRY_MAX_BYTES - customer_import.BTREE_ENTRY_OVERHEAD
        )

    @staticmethod
    def _random_text(size):
        """``size`` bytes of UTF-8 that do not compress, ending in a letter
        of two bytes so that the limit is counted in bytes, not letters."""
        rng = random.Random(size)
        letters = string.ascii_letters + string.digits
        return "".join(rng.choice(letters) for _ in range(size - 2)) + "\u00e4"

    def test_limits_of_the_indexed_columns(self):
        # Odoo's name, ref and vat, phone_validation's phone (and mobile,
        # which Odoo 19 no longer has).
        columns = ["ref", "vat", "phone", "external_ref"]
        if PARTNER_HAS_MOBILE:
            columns.append("mobile")
        for column in columns:
            self.assertEqual(self.limits[column], self.entry, column)
        # "Company, Name" of a person shares one entry of complete_name.
        self.assertEqual(self.limits["name"], (self.entry - 2) // 2)
        self.assertEqual(self.limits["company_name"], self.limits["name"])
        self.assertNotIn("city", self.limits)
        self.assertNotIn("id", self.limits)

    def test_random_values_at_the_limit_are_imported(self):
        name = self._random_text(self.limits["name"])
        company = self._random_text(self.limits["company_name"])
        ref = self._random_text(self.limits["ref"])
        self.assertEqual(len(name.encode()), self.limits["name"])
        self._import(self.huber, self._csv([("B1", name, company, ref, "")]))
        customer = self.Partner.search([("external_ref", "=", "B1")])
        self.env.flush_all()
        self.assertEqual(customer.name, name)
        self.assertEqual(customer.ref, ref)
        # The widest entry the limits allow: "Company, Name" of a person.
        self.assertEqual(customer.complete_name, f"{company}, {name}")

    def test_one_byte_more_is_a_row_error_and_nothing_is_written(self):
        for column in ("name", "company_name", "ref"):
            with self.subTest(column=column):
                values = {"name": "Good", "company_name": "", "ref": ""}
                values[column] = self._random_text(self.limits[column] + 1)
                bad = ("B2", values["name"], values["company_name"], values["ref"], "")
                data = self._csv([("B1", "Fine Customer", "", "", ""), bad])
                letter = "BCD"[("name", "company_name", "ref").index(column)]
                line = self._lines(self._preview(self.huber, data), "error")
                self.assertEqual(line.row, 3)
                self.assertIn(
                    f"Column {letter} ({column}): the value takes "
                    f"{self.limits[column] + 1} bytes, more than the "
                    f"{self.limits[column]} bytes the database can index for "
                    "this column",
                    line.message,
                )
                before = self._table_state()
                with self.assertRaisesRegex(UserError, rf"row 3: Column {letter}"):
                    self._import(self.huber, data)
                self.assertEqual(self._table_state(), before)
                self.assertFalse(
                    self.Partner.search([("external_ref", "in", ["B1", "B2"])])
                )

    def test_ten_megabyte_name_is_refused_in_bounded_time_and_memory(self):
        # The server's limit of Python's csv fields (odoo-bin's own).
        self.addCleanup(csv.field_size_limit, csv.field_size_limit(500 << 20))
        data = self._csv([("B1", "x" * 10_000_000, "", "", "")])
        cpu = time.process_time()
        with self.assertRaisesRegex(UserError, r"row 2: Column B \(name\)"):
            self._import(self.huber, data)
        self.assertLess(time.process_time() - cpu, 5)
        tracemalloc.start()
        try:
            with self.assertRaisesRegex(UserError, r"row 2: Column B \(name\)"):
                self._import(self.huber, data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # The upload in base64, its attachment, the decoded file and a few
        # copies of the cell (about 11 times the file when measured): in
        # proportion to the file, never to the rows or columns.
        self.assertLess(peak, 16 * len(data))

    def test_ten_megabyte_name_beyond_the_csv_field_limit(self):
        # Runners other than odoo-bin keep Python's 128 KB csv fields.
        self.addCleanup(csv.field_size_limit, csv.field_size_limit(128 << 10))
        data = self._csv([("B1", "Fine", "", "", ""), ("B2", "x" * 10_000_000)])
        cpu = time.process_time()
        with self.assertRaisesRegex(
            UserError,
            "Line 3 of the file customers.csv holds a value of more than 32767 "
            "characters",
        ):
            self._import(self.huber, data)
        self.assertLess(time.process_time() - cpu, 5)
