from odoo import fields, models

from .res_partner_trash import TRASH_RETENTION_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_trash_retention_days = fields.Integer(
        string="Customer Trash Retention (days)",
        config_parameter=TRASH_RETENTION_PARAM,
        default=14,
        help="How long a customer stays restorable in the trash before the "
        "scheduled action purges it.",
    )
    crm_default_user_id = fields.Many2one(
        related="company_id.crm_default_user_id", readonly=False
    )
