from odoo import api, fields, models


class CustomerOwnedMixin(models.AbstractModel):
    """A record of a customer's own (visit report, visit block, consent): it
    goes with its customer, in the customer's company, and hides with it in
    the trash."""

    _name = "customer.owned.mixin"
    _description = "Record Owned by a Customer"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    # Precomputed: set in the INSERT of a batch (a transfer's copies) instead
    # of an UPDATE after it, whose plan against a freshly loaded table
    # PostgreSQL cannot be trusted with (a scan per row on Odoo 19).
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True, precompute=True
    )
    # Hidden, with the customer, while the customer is in the trash; only
    # the workflows set it (each model inherits customer.engine.guard).
    active = fields.Boolean(
        compute="_compute_active", store=True, readonly=True, default=True
    )

    @api.depends("partner_id.trashed_at")
    def _compute_active(self):
        for record in self:
            record.active = not record.partner_id.trashed_at
