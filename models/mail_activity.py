from odoo import fields, models
from odoo.tools import create_index

from ..compat import ACTIVITY_HAS_REQUEST_PARTNER


class MailActivity(models.Model):
    _name = "mail.activity"
    _inherit = ["mail.activity", "customer.engine.guard"]

    # Set on the open activities hidden because their customer went to the
    # trash, so that restoring brings back exactly those and no activity that
    # was done (archived) before.
    hidden_by_trash = fields.Boolean(
        string="Hidden with Customer", copy=False, readonly=True
    )

    def init(self):
        res = super().init()
        # Odoo does not index the partner who asked for an activity:
        # redirecting those references to a merge target would read the whole
        # table (tests/test_query_plans.py). Odoo 19 dropped the column.
        if ACTIVITY_HAS_REQUEST_PARTNER:
            create_index(
                self.env.cr,
                "mail_activity_request_partner_id_index",
                self._table,
                ["request_partner_id"],
                where="request_partner_id IS NOT NULL",
            )
        return res
