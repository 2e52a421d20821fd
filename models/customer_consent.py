from odoo import api, fields, models

from ..compat import Constraint


class CustomerConsent(models.Model):
    """A GDPR consent given by a customer, with its signed documents.

    Consents are personal to the customer who gave them: a merge leaves them,
    archived, on the merged customer and only moves their documents.
    """

    _name = "customer.consent"
    _description = "Customer GDPR Consent"
    _inherit = ["customer.owned.mixin", "customer.engine.guard"]
    _order = "granted_on desc, id desc"
    _rec_name = "purpose"

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

    _revocation_after_grant_check = Constraint(
        "CHECK (revoked_on IS NULL OR revoked_on >= granted_on)",
        "A consent cannot be revoked before it was granted.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        consents = super().create(vals_list)
        consents._attach_documents()
        return consents

    def write(self, vals):
        result = super().write(vals)
        if "document_ids" in vals:
            self._attach_documents()
        return result

    def _attach_documents(self):
        """Attach to its consent each signed document not attached to a record.

        The form's many2many_binary uploads a file before the consent is
        saved, with res_id 0: Odoo lets only its uploader and administrators
        read such a file, so the customer's agent, team lead and customer
        service could not even open the customer. Attached to the consent, a
        document is readable by whoever may read the consent, as
        mail.compose.message and hr.applicant do with their attachments. No
        sudo: a user may attach only files they may write (their own uploads).
        """
        for consent in self:
            consent.document_ids.filtered(
                lambda document: not document.res_id and not document.res_field
            ).write({"res_model": consent._name, "res_id": consent.id})

    @api.depends("revoked_on")
    def _compute_state(self):
        for consent in self:
            consent.state = "revoked" if consent.revoked_on else "granted"

    @api.depends("partner_id.merged_into_id")
    def _compute_active(self):
        res = super()._compute_active()
        # A merged customer keeps its consents, archived, for an undo.
        self.filtered("partner_id.merged_into_id").active = False
        return res
