from odoo import fields, models

from .customer_import import LIMIT_DEFAULTS, PARAM_PREFIX
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
    customer_import_min_trash_guard = fields.Integer(
        string="Import Mass-Trash Guard From",
        config_parameter=PARAM_PREFIX + "min_trash_guard",
        default=LIMIT_DEFAULTS["min_trash_guard"],
        help="An import of a complete list asks for confirmation before it "
        "moves more than this many of the salesperson's customers to the "
        "trash (and more than the share or count limits allow); fewer are "
        "trashed without asking.",
    )
    crm_default_user_id = fields.Many2one(
        related="company_id.crm_default_user_id", readonly=False
    )
    # What follows a transferred customer by default, per kind.
    transfer_visit_reports = fields.Boolean(
        related="company_id.transfer_visit_reports", readonly=False
    )
    transfer_tasks = fields.Boolean(related="company_id.transfer_tasks", readonly=False)
    transfer_appointments = fields.Boolean(
        related="company_id.transfer_appointments", readonly=False
    )
    transfer_visit_blocks = fields.Boolean(
        related="company_id.transfer_visit_blocks", readonly=False
    )
    transfer_opportunities = fields.Boolean(
        related="company_id.transfer_opportunities", readonly=False
    )
    transfer_contacts = fields.Boolean(
        related="company_id.transfer_contacts", readonly=False
    )
