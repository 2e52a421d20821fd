from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_default_user_id = fields.Many2one(
        related="company_id.crm_default_user_id", readonly=False
    )
