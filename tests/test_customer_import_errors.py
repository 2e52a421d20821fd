import base64

from odoo.exceptions import UserError

from ..compat import call_kw
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
