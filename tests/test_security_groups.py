from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged


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
        form = self.env.ref("base.view_users_form")
        view = self.env["res.users"].with_user(admin).get_views([(form.id, "form")])
        arch = etree.fromstring(view["views"]["form"]["arch"])
        heading = arch.xpath("//group[@string='Customer Ownership']")
        self.assertEqual(len(heading), 1)
        for xmlid, label in (
            ("crm_customer_ownership.group_customer_transfer", "Transfer customers"),
            ("crm_customer_ownership.group_customer_service", "Customer service"),
        ):
            group = self.env.ref(xmlid)
            field = f"sel_groups_{group.id}"
            with self.subTest(group=xmlid):
                self.assertTrue(heading[0].xpath(f".//field[@name='{field}']"))
                description = view["models"]["res.users"]["fields"][field]
                self.assertIn(label, description["string"])
                self.assertIn(
                    group.id, [value for value, _name in description["selection"]]
                )

    def test_granting_through_the_form_field(self):
        group = self.env.ref("crm_customer_ownership.group_customer_transfer")
        user = new_test_user(self.env, login="t_granted", groups="base.group_user")
        user.write({f"sel_groups_{group.id}": group.id})
        self.assertTrue(
            user.has_group("crm_customer_ownership.group_customer_transfer")
        )
