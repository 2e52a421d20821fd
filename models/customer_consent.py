from odoo import api, fields, models

from ..compat import Constraint


class CustomerConsent(models.Model):
    """A GDPR consent given by a customer, with its signed documents.

    Consents are personal to the customer who gave them: a merge leaves them,
    archived, on the merged customer and only moves their documents.
    """

    _name = "customer.consent"
    _description = "Customer GDPR Consent"
    _inherit = ["customer.engine.guard"]
    _order = "granted_on desc, id desc"
    _rec_name = "purpose"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    purpose = fields.Char(required=True)
    granted_on = fields.Date(required=True, default=fields.Date.context_today)
    revoked_on = fields.Date()
    state = fields.Selection(
        [("granted", "Granted"), ("revoked", "Revoked")], compute="_compute_state"
    )
    document_ids = fields.Many2many(
        "ir.attachment",
        "customer_consent_ir_attachment_rel",
        "consent_id",
        "attachment_id",
        string="Signed Documents",
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )
    active = fields.Boolean(
        compute="_compute_active", store=True, readonly=True, default=True
    )

    _revocation_after_grant_check = Constraint(
        "CHECK (revoked_on IS NULL OR revoked_on >= granted_on)",
        "A consent cannot be revoked before it was granted.",
    )

    @api.depends("revoked_on")
    def _compute_state(self):
        for consent in self:
            consent.state = "revoked" if consent.revoked_on else "granted"

    @api.depends("partner_id.trashed_at", "partner_id.merged_into_id")
    def _compute_active(self):
        # A merged customer keeps its consents, archived, for an undo.
        for consent in self:
            consent.active = not (
                consent.partner_id.trashed_at or consent.partner_id.merged_into_id
            )
