from ..compat import PARTNER_HAS_MOBILE
from .import_common import CustomerImportCase

HEADER = ("external_ref", "name", "phone", "mobile")


class TestImportMobileColumn(CustomerImportCase):
    """The ERP files' mobile column on each series: Odoo 18 has a mobile
    field; Odoo 19 has none, so the number becomes the row's phone where the
    row has none, and is named in a row warning where it has another."""

    def _import_rows(self, rows):
        wizard = self._preview(self.huber, self._csv(rows, header=HEADER))
        self.assertEqual(wizard.count_error, 0, wizard.line_ids.mapped("message"))
        wizard.action_import()
        customers = self.Partner.search(
            [("user_id", "=", self.huber.id), ("external_ref", "like", "MOB%")],
            order="external_ref",
        )
        return wizard, customers

    def test_mobile_column_imported(self):
        rows = [
            ("MOB1", "Mobile only", "", "+43 660 1111111"),
            ("MOB2", "Both numbers", "+43 512 222222", "+43 660 2222222"),
            ("MOB3", "Same number", "+43 512 333333", "+43 512 333333"),
        ]
        wizard, (mobile_only, both, same) = self._import_rows(rows)
        lines = {line.key: line for line in wizard.line_ids}
        if PARTNER_HAS_MOBILE:
            self.assertEqual(mobile_only.mobile, "+43 660 1111111")
            self.assertFalse(mobile_only.phone)
            self.assertEqual(both.phone, "+43 512 222222")
            self.assertEqual(both.mobile, "+43 660 2222222")
            self.assertFalse(lines["MOB2"].message)
            return
        self.assertEqual(mobile_only.phone, "+43 660 1111111")
        self.assertFalse(lines["MOB1"].message)
        self.assertEqual(both.phone, "+43 512 222222")
        self.assertIn("+43 660 2222222", lines["MOB2"].message)
        self.assertIn("+43 512 222222", lines["MOB2"].message)
        self.assertIn("(mobile)", lines["MOB2"].message)
        self.assertEqual(same.phone, "+43 512 333333")
        self.assertFalse(lines["MOB3"].message)
