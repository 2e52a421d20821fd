from odoo.tests import TransactionCase, new_test_user, tagged

from ..compat import user_form_group_values, user_form_rights


# After the install: Odoo rebuilds the user form's groups view at its end.
@tagged("post_install", "-at_install")
class TestRightsOnTheUserForm(TransactionCase):
    """The module's rights can be granted from the user form without debug
    mode, under a "Customer Ownership" heading."""

    def test_rights_shown_without_debug_mode(self):
        admin = new_test_user(
            self.env,
            login="t_user_admin",
            name="Test User Admin",
            groups="base.group_user,base.group_erp_manager",
        )
        self.assertFalse(admin.has_group("base.group_no_one"))
        rights = user_form_rights(admin)
        self.assertIn("Customer Ownership", rights)
        heading = rights["Customer Ownership"]
        for xmlid, label in (
            ("crm_customer_ownership.group_customer_transfer", "Transfer customers"),
            ("crm_customer_ownership.group_customer_service", "Customer service"),
        ):
            group = self.env.ref(xmlid)
            with self.subTest(group=xmlid):
                lines = [ids for name, ids in heading.items() if label in name]
                self.assertEqual(len(lines), 1, heading)
                self.assertIn(group.id, lines[0])

    def test_granting_through_the_form_field(self):
        group = self.env.ref("crm_customer_ownership.group_customer_transfer")
        user = new_test_user(self.env, login="t_granted", groups="base.group_user")
        user.write(user_form_group_values(group))
        self.assertTrue(
            user.has_group("crm_customer_ownership.group_customer_transfer")
        )
