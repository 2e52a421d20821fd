from odoo import api, fields, models
from odoo.exceptions import UserError


class CustomerMergeWizard(models.TransientModel):
    """Merge a wrong customer into the right one (see
    ``res.partner._merge_into`` for what moves and the rules)."""

    _name = "customer.merge.wizard"
    _description = "Merge Customers"

    source_partner_id = fields.Many2one(
        "res.partner",
        string="Wrong Customer",
        required=True,
        # The purge deletes it after the merge; the wizard goes with it.
        ondelete="cascade",
        help="Merged away: everything linked to it moves to the right customer, "
        "then it is archived; the merge can be undone until the trash "
        "retention has passed.",
    )
    target_partner_id = fields.Many2one(
        "res.partner",
        string="Right Customer",
        required=True,
        ondelete="cascade",
        # Only customers the merge rules accept: of the wrong customer's
        # company, out of the trash, not a contact person of a customer.
        domain="[('id', '!=', source_partner_id), ('parent_id', '=', False),"
        " ('company_id', '=', source_company_id), ('trashed_at', '=', False)]",
        help="Keeps its own details and receives everything linked to the wrong "
        "customer.",
    )
    source_company_id = fields.Many2one(related="source_partner_id.company_id")
    refusal_reason = fields.Text(compute="_compute_preview")
    preview = fields.Json(
        compute="_compute_preview",
        help="What the merge moves: counts per model and field, consents "
        "dropped, consent documents moved.",
    )
    preview_html = fields.Html(compute="_compute_preview", string="What Moves")

    @api.depends("source_partner_id", "target_partner_id")
    def _compute_preview(self):
        for wizard in self:
            source = wizard.source_partner_id._origin
            target = wizard.target_partner_id._origin
            wizard.refusal_reason = False
            wizard.preview = wizard.preview_html = False
            if not source:
                continue
            if target:
                try:
                    source._check_merge_rules(target)
                except UserError as error:
                    wizard.refusal_reason = error.args[0]
            if not source.has_access("read"):
                # The refusal names the rule; the preview would tell more.
                continue
            # Which links the right customer already has is its own business.
            readable_target = target if target.has_access("read") else target.browse()
            preview = source._merge_preview(readable_target)
            wizard.preview = preview
            wizard.preview_html = self.env["ir.qweb"]._render(
                "crm_customer_ownership.customer_merge_preview",
                dict(preview, source=source, target=readable_target),
            )

    def action_swap(self):
        """Make the wrong customer the right one and the other way round: a
        merge from the list guesses which is which."""
        self.ensure_one()
        self.write(
            {
                "source_partner_id": self.target_partner_id.id,
                "target_partner_id": self.source_partner_id.id,
            }
        )
        return self._action(
            res_id=self.id,
            # The wrong customer stays fixed, as when the wizard opened.
            context={"default_source_partner_id": self.source_partner_id.id},
        )

    @api.model
    def _action(self, **values):
        # Named for two customers, not "Merge into…" as on a customer's form.
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.customer_merge_wizard_action"
        )
        return dict(action, name=self.env._("Merge Customers"), **values)

    def action_merge(self):
        """Merge the wrong customer into the right one, say what moved and
        open the right one (its Merges button leads to the merge's log and
        its undo)."""
        self.ensure_one()
        log = self.source_partner_id._merge_into(self.target_partner_id)
        return log._merge_notification()
