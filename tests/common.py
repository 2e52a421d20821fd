from odoo.tests import TransactionCase, new_test_user


class CustomerOwnershipCase(TransactionCase):
    """Real users with real groups, and a few customers, built once per class.

    - ``huber`` and ``maier``: salespeople ("own documents only");
    - ``transfer_user``: a salesperson who may also transfer customers;
    - ``sales_manager``: Odoo's sales administrator.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.ref("base.main_company")
        salesman = "base.group_user,sales_team.group_sale_salesman"
        cls.huber = new_test_user(
            cls.env, login="t_huber", name="Test Huber", groups=salesman
        )
        cls.maier = new_test_user(
            cls.env, login="t_maier", name="Test Maier", groups=salesman
        )
        cls.transfer_user = new_test_user(
            cls.env,
            login="t_transfer",
            name="Test Transfer",
            groups=salesman + ",crm_customer_ownership.group_customer_transfer",
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="t_sales_manager",
            name="Test Sales Manager",
            groups="base.group_user,sales_team.group_sale_manager",
        )
        cls.Partner = cls.env["res.partner"]
        cls.customers_huber = cls.Partner.create(
            [
                {
                    "name": f"Huber Customer {i}",
                    "external_ref": f"H{i:03d}",
                    "user_id": cls.huber.id,
                    "is_company": True,
                }
                for i in range(1, 6)
            ]
        )
        cls.customer_maier = cls.Partner.create(
            {"name": "Maier Customer", "external_ref": "M001", "user_id": cls.maier.id}
        )
