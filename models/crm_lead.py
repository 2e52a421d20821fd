from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .query_plans import execute_through_indexes


class CrmLead(models.Model):
    _inherit = "crm.lead"

    user_id = fields.Many2one(default=lambda self: self._default_salesperson())
    assigned_user_ids = fields.Many2many(
        "res.users",
        "crm_lead_assigned_user_rel",
        "lead_id",
        "user_id",
        string="Assigned operators",
        domain="[('share', '=', False)]",
        help="Users who work on this lead besides its salesperson: they see and "
        "edit it as if it were theirs.",
    )
    # assigned_user_ids as the record rule reads it. ('assigned_user_ids',
    # 'in', uid) compiles to an EXISTS per lead, which PostgreSQL cannot OR
    # with Odoo's "Personal Leads" rule on indexes: every lead gets scanned, at
    # a cost estimate high enough to be JIT-compiled (bench/README.md has the
    # figures). This field's search resolves to literal lead ids each time a
    # query is built: indexable, and never stale, unlike ids fixed in the rule
    # domain that Odoo caches. Its value (for access checks on records in
    # memory) is assigned_user_ids itself.
    rule_assigned_user_ids = fields.Many2many(
        "res.users",
        string="Assigned operators (record rule)",
        compute="_compute_rule_assigned_user_ids",
        search="_search_rule_assigned_user_ids",
        context={"active_test": False},
    )

    @api.depends("assigned_user_ids")
    def _compute_rule_assigned_user_ids(self):
        # Record rules evaluate this field on every lead a user reads or writes
        # (filtered_domain in _check_access). Saved leads read the relation
        # table, as the search does, and get their values in the cache at once
        # as Odoo's ir.ui.view does for its hierarchy: assigning each lead's
        # value through the field is a relational write per lead, which made a
        # page of leads slower for a manager than for the administrator.
        saved = self.filtered("id")
        user_ids = dict.fromkeys(saved._ids, ())
        if saved:
            self.flush_model(["assigned_user_ids"])
            # One index lookup per lead whatever PostgreSQL's statistics say
            # (an ANY(ids) filter may read the whole relation when it has
            # none, and statistics taken while the relation was small scan it
            # for every lead: tests/test_query_plans.py, stale statistics);
            # OFFSET 0 keeps the lookup from being merged into a join.
            rows = execute_through_indexes(
                self.env,
                SQL(
                    "SELECT leads.id, operators.ids"
                    " FROM unnest(%s::int[]) AS leads(id)"
                    " CROSS JOIN LATERAL (SELECT array_agg(user_id ORDER BY user_id)"
                    " FROM (SELECT user_id FROM crm_lead_assigned_user_rel"
                    " WHERE lead_id = leads.id OFFSET 0) AS rel) AS operators(ids)"
                    " WHERE operators.ids IS NOT NULL",
                    list(saved._ids),
                ),
            )
            user_ids.update((lead_id, tuple(ids)) for lead_id, ids in rows)
        self.env.cache.update(
            saved,
            self._fields["rule_assigned_user_ids"],
            [user_ids[lead_id] for lead_id in saved._ids],
        )
        for lead in self - saved:
            lead.rule_assigned_user_ids = lead.assigned_user_ids

    def _search_rule_assigned_user_ids(self, operator, value):
        if operator not in ("=", "in") or not value:
            raise UserError(
                self.env._(
                    "Search leads by assigned operator with '=' or 'in' and user "
                    "ids; use Assigned operators for anything else."
                )
            )
        # Odoo 19 hands an OrderedSet for "in", 18 a list.
        user_ids = [value] if isinstance(value, int) else list(value)
        self.env["crm.lead"].flush_model(["assigned_user_ids"])
        # Driven from the users through the (user_id, lead_id) index, as the
        # compute above is from the leads.
        rows = execute_through_indexes(
            self.env,
            SQL(
                "SELECT rel.lead_id FROM unnest(%s::int[]) AS users(id)"
                " CROSS JOIN LATERAL (SELECT lead_id FROM crm_lead_assigned_user_rel"
                " WHERE user_id = users.id OFFSET 0) AS rel",
                user_ids,
            ),
        )
        return [("id", "in", [lead_id for (lead_id,) in rows])]

    @api.model
    def _creates_outside_crm(self):
        """Whether the current user enters leads without being a CRM user:
        an internal user (customer service, for one) outside the sales groups.
        Portal and public users keep Odoo's behaviour: website forms have their
        own default salesperson."""
        user = self.env.user
        return not user.share and not user._has_group("sales_team.group_sale_salesman")

    @api.model
    def _default_salesperson(self):
        """The salesperson of a new lead: its creator in the CRM, the company's
        default CRM user for a lead entered from outside the CRM."""
        if self._creates_outside_crm():
            return self.env.company._get_crm_default_user()
        return self.env.user

    @api.model_create_multi
    def create(self, vals_list):
        # An explicit default_user_id in the context (the mail gateway sets it
        # to False on purpose) wins, as it does in Odoo.
        if self._creates_outside_crm() and "default_user_id" not in self.env.context:
            vals_list = [self._with_default_salesperson(vals) for vals in vals_list]
        return super().create(vals_list)

    @api.model
    def _with_default_salesperson(self, vals):
        if vals.get("user_id"):
            return vals
        company = (
            self.env["res.company"].browse(vals["company_id"])
            if vals.get("company_id")
            else self.env.company
        )
        return dict(vals, user_id=company._get_crm_default_user().id)
