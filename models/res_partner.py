from odoo import api, fields, models

EXTERNAL_REF_MAX_LENGTH = 64


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Imports, the trash and record rules all filter customers by owner.
    user_id = fields.Many2one(index=True)
    external_ref = fields.Char(
        string="External ID",
        index=True,
        copy=False,
        tracking=True,
        help="The customer number in the ERP that sends this customer. "
        "Unique per salesperson; a customer copied to another salesperson "
        "keeps its number.",
    )
    trashed_at = fields.Datetime(
        string="Trashed on", copy=False, readonly=True, index=True
    )
    trashed_by_id = fields.Many2one(
        "res.users", string="Trashed by", copy=False, readonly=True
    )
    is_synced = fields.Boolean(
        string="Synchronised",
        copy=False,
        tracking=True,
        help="This customer is kept in sync with an outside register "
        "(the ERP). A synchronised customer is never merged into an "
        "unsynchronised one.",
    )
    structure_unit_id = fields.Many2one(
        "customer.structure.unit",
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    consent_ids = fields.One2many("customer.consent", "partner_id", "GDPR Consents")
    visit_report_ids = fields.One2many(
        "customer.visit.report", "partner_id", "Visit Reports"
    )
    visit_block_ids = fields.One2many(
        "customer.visit.block", "partner_id", "Visit Blocks"
    )
    visit_report_count = fields.Integer(compute="_compute_visit_counts")
    visit_block_count = fields.Integer(compute="_compute_visit_counts")

    _sql_constraints = [
        (
            "external_ref_owner_uniq",
            "UNIQUE (user_id, external_ref)",
            "This salesperson already has a customer with this External ID.",
        ),
        (
            "external_ref_length_check",
            f"CHECK (char_length(external_ref) <= {EXTERNAL_REF_MAX_LENGTH})",
            f"An External ID has at most {EXTERNAL_REF_MAX_LENGTH} characters.",
        ),
    ]

    def _compute_visit_counts(self):
        for field, model in (
            ("visit_report_count", "customer.visit.report"),
            ("visit_block_count", "customer.visit.block"),
        ):
            counts = dict(
                self.env[model]._read_group(
                    [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
                )
            )
            for partner in self:
                partner[field] = counts.get(partner, 0)

    @api.model
    def _normalize_external_ref(self, vals):
        """Strip the ERP number; an empty number is no number."""
        if isinstance(vals.get("external_ref"), str):
            vals["external_ref"] = vals["external_ref"].strip() or False
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [self._normalize_external_ref(dict(vals)) for vals in vals_list]
        )

    def write(self, vals):
        return super().write(self._normalize_external_ref(dict(vals)))

    def action_view_visit_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.customer_visit_report_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_view_visit_blocks(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.customer_visit_block_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
