from odoo import api, fields, models

from .customer_import import LIMIT_DEFAULTS, PARAM_PREFIX
from .customer_linked_records import add_kind_flags_to_arch, kinds_flag_fields
from .res_partner_trash import TRASH_RETENTION_PARAM


def _setting_kind_flag(kind):
    return fields.Boolean(related=f"company_id.{kind.flag}", readonly=False)


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
    locals().update(kinds_flag_fields(_setting_kind_flag))

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        return add_kind_flags_to_arch(arch), view
