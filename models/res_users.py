from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..compat import USER_GROUPS_FIELD

# Fields the record rules of this module read from ``user``: Odoo caches each
# user's rule domains, so a change to any of them must clear that cache.
RULE_FIELDS = ("crm_manager_id", "restrict_to_own_customers")


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_manager_id = fields.Many2one(
        "res.users",
        string="Sales Manager (hierarchy)",
        index=True,
        ondelete="set null",
        domain="[('share', '=', False), ('id', '!=', id)]",
        help="The person above this user in the sales hierarchy: they see this "
        "user's leads, and those of everybody below this user.",
    )
    crm_subordinate_ids = fields.Many2many(
        "res.users",
        string="Subordinates",
        compute="_compute_crm_subordinate_ids",
        context={"active_test": False},
        help="Everybody below this user in the sales hierarchy, at any depth "
        "(archived users included: their leads stay with their managers).",
    )
    restrict_to_own_customers = fields.Boolean(
        string="Restrict to own customers",
        help="This salesperson only sees the customers whose salesperson is "
        "themselves or one of their subordinates (with those customers' visit "
        "reports, visit blocks and consents), besides customers without a "
        "salesperson. Has no effect on customer service, 'all leads' users and "
        "sales administrators.",
    )
    crm_customer_restricted = fields.Boolean(
        compute="_compute_crm_customer_restricted",
        help="Whether 'Restrict to own customers' applies to this user: only "
        "to plain 'own documents' salespeople.",
    )

    @api.constrains("crm_manager_id")
    def _check_crm_manager_id(self):
        if self._has_cycle("crm_manager_id"):
            raise ValidationError(
                self.env._(
                    "The sales hierarchy of %(users)s would loop: choose a manager "
                    "who is not below them.",
                    users=", ".join(self.mapped("name")),
                )
            )

    def _compute_crm_subordinate_ids(self):
        subordinates = self._crm_subordinate_ids_by_manager()
        for user in self:
            user.crm_subordinate_ids = [
                Command.set(subordinates.get(user._origin.id, []))
            ]

    def _crm_subordinate_ids_by_manager(self):
        """{manager id: ids of every user below them}, in one query."""
        # New records (a user form being filled) have no subordinates yet.
        manager_ids = [user_id for user_id in self._origin.ids if user_id]
        if not manager_ids:
            return {}
        self.env["res.users"].flush_model(["crm_manager_id"])
        # UNION (not UNION ALL) stops at a pair already seen, so even a cycle
        # written behind the ORM's back cannot make the query run forever.
        rows = self.env.execute_query(
            SQL(
                """
                WITH RECURSIVE tree(manager_id, user_id) AS (
                    SELECT crm_manager_id, id FROM res_users
                     WHERE crm_manager_id = ANY(%s)
                    UNION
                    SELECT tree.manager_id, u.id
                      FROM res_users u JOIN tree ON u.crm_manager_id = tree.user_id
                )
                SELECT manager_id, array_agg(user_id ORDER BY user_id)
                  FROM tree WHERE user_id != manager_id
              GROUP BY manager_id
                """,
                manager_ids,
            )
        )
        return dict(rows)

    @api.depends("restrict_to_own_customers", USER_GROUPS_FIELD)
    def _compute_crm_customer_restricted(self):
        for user in self:
            user.crm_customer_restricted = (
                user.restrict_to_own_customers
                and user._has_group("sales_team.group_sale_salesman")
                and not user._has_group("sales_team.group_sale_salesman_all_leads")
                and not user._has_group("crm_customer_ownership.group_customer_service")
            )

    def _get_invalidation_fields(self):
        return super()._get_invalidation_fields() | set(RULE_FIELDS)

    def write(self, vals):
        res = super().write(vals)
        # res.users.write() clears the rule domains through
        # _get_invalidation_fields() (create() and unlink() clear them too);
        # the subordinates cached in this transaction come from SQL, so the
        # ORM does not know them stale.
        if "crm_manager_id" in vals:
            self.env["res.users"].invalidate_model(["crm_subordinate_ids"])
        return res

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form" and (self.env.lang or "en_US") != "en_US":
            self._translate_group_sections(arch)
        return arch, view

    @api.model
    def _translate_group_sections(self, arch):
        """Name this module's section of the access rights in the user's
        language. Odoo regenerates that part of the form (base's
        ``user_groups_view``) in English and translates its headers only
        from base's own catalogue, which knows Odoo's application
        categories but not those of other modules: "Customer Ownership"
        stayed English although the category name is translated."""
        # sudo: a category name is a label, not data.
        category = self.env.ref(
            "crm_customer_ownership.module_category_customer_ownership",
            raise_if_not_found=False,
        ).sudo()
        if not category:
            return
        english = category.with_context(lang="en_US").name
        for node in arch.xpath(
            "//group[@string=$name] | //separator[@string=$name]", name=english
        ):
            node.set("string", category.name)
